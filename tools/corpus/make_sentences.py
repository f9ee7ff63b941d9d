#!/usr/bin/env python3
"""Writes the corpus sentence files java/resources/org/dqwhisper/corpus/<lang>.txt.

Each language has ~25 sentence templates and small vocabulary lists, all written for this project. A template
fills its slots from the lists (with the grammatical form the slot asks for) and from number ranges; numbers are
written as ASCII digits (espeak-ng reads digits aloud in the voice's language, and Whisper itself writes numbers
as digits). Every sentence is unique within its language. Mandarin lines carry a second, tab-separated column:
the same sentence in tone-numbered pinyin, which is what espeak-ng speaks (its cmn voice from the Debian package
mis-reads most Han characters; the cmn-latn-pinyin voice reads pinyin correctly).

    python3 tools/corpus/make_sentences.py            # rewrites all files, deterministic
    python3 tools/corpus/make_sentences.py --extra DIR N   # N more per language for a teacher's training set
"""
import random
import re
import sys
from pathlib import Path

from sentence_data import LANGUAGES

SEED = 20240517
PER_LANGUAGE = 240
OUT = Path(__file__).resolve().parents[2] / "java" / "resources" / "org" / "dqwhisper" / "corpus"

# number slots shared by all languages (inclusive ranges, step)
NUMBERS = {
    "hour": (2, 11, 1), "price": (20, 250, 1), "year": (1950, 2023, 1), "minutes": (5, 55, 5),
    "temp": (2, 35, 1), "num": (12, 40, 1), "bus": (2, 99, 1), "room": (101, 450, 1), "big": (120, 900, 1),
    "count": (2, 30, 1),
}
SLOT = re.compile(r"\{(N:)?([a-z_]+?)(2)?(?:\.([a-z_]+))?\}")


def ru_plural(n):
    """Russian noun form after a number: 0 = one (1, 21, 31...), 1 = few (2-4, 22-24...), 2 = many."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def pick_number(lang, name, rng):
    lo, hi, step = lang.get("numbers", {}).get(name, NUMBERS.get(name, NUMBERS["count"]))
    return lo + step * rng.randrange((hi - lo) // step + 1)


def form(entry, key, script):
    """The requested form of a vocabulary entry (a plain string, or a dict of named forms)."""
    if isinstance(entry, str):
        if key:
            raise KeyError(f"entry '{entry}' has no form '{key}'")
        return entry
    if script:  # Mandarin: every entry is {"h": hanzi, "p": pinyin, ...}
        return entry[key + "_" + script if key else script]
    if key is None:
        return entry["_"]
    return entry[key]


def render(lang, template, bindings, rng, script=None):
    def fill(m):
        counted, name, second, key = m.group(1), m.group(2), m.group(3), m.group(4)
        slot = name + (second or "")
        vocab = lang["vocab"]
        if name in vocab:
            if slot not in bindings:
                taken = [bindings[s] for s in bindings if s.rstrip("2") == name]
                choices = [e for e in vocab[name] if e not in taken]
                bindings[slot] = rng.choice(choices)
            entry = bindings[slot]
            if counted:
                nkey = "#" + slot
                if nkey not in bindings:
                    bindings[nkey] = pick_number(lang, name, rng)
                n = bindings[nkey]
                if lang["code"] == "ru":
                    return f"{n} {entry[ru_plural(n)]}"
                if script:
                    sep = "" if script == "h" else " "
                    return f"{n}{sep}{entry['mw_' + script]}{sep}{entry[script]}"
                return f"{n} {form(entry, 'pl' if isinstance(entry, dict) else None, None)}"
            return form(entry, key, script)
        if slot not in bindings:
            bindings[slot] = pick_number(lang, name, rng)
        return str(bindings[slot])

    return SLOT.sub(fill, template)


def sentences(lang, rng, count=PER_LANGUAGE, exclude=frozenset()):
    templates = lang["templates"]
    out, seen = [], set(exclude)
    stale = 0
    while len(out) < count and stale < 50:
        added = False
        for template in templates:
            for _ in range(40):
                bindings = {}
                if isinstance(template, tuple):  # Mandarin: (hanzi, pinyin) share one set of choices
                    text = render(lang, template[0], bindings, rng, "h")
                    spoken = render(lang, template[1], bindings, rng, "p")
                else:
                    text, spoken = render(lang, template, bindings, rng), None
                if text not in seen:
                    seen.add(text)
                    out.append(text if spoken is None else text + "\t" + spoken)
                    added = True
                    break
            if len(out) >= count:
                break
        stale = 0 if added else stale + 1
    if len(out) < count:
        sys.exit(f"{lang['code']}: only {len(out)} unique sentences")
    rng.shuffle(out)
    return out


def write_extra(folder, count):
    """Sentences for a teacher's larger training set: `count` more per language, none of them in the corpus files
    (so the built-in corpus's dev and test sentences stay unseen). `dqw corpus --extra-sentences FOLDER` adds
    them to the training split only."""
    folder.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        base = random.Random(f"{SEED}-{lang['code']}")
        taken = {line.split("\t")[0] for line in sentences(lang, base)}
        rng = random.Random(f"{SEED}-{lang['code']}-extra")
        lines = sentences(lang, rng, count, taken)
        header = [f"# {lang['name']}: {len(lines)} extra training sentences for a teacher (none in {lang['code']}.txt).",
                  "# Written by tools/corpus/make_sentences.py --extra from the same templates and word lists."]
        if any("\t" in s for s in lines):
            header.append("# Format: text<TAB>what espeak-ng speaks (tone-numbered pinyin).")
        (folder / f"{lang['code']}.txt").write_text("\n".join(header + lines) + "\n", encoding="utf-8")
        print(f"{lang['code']}: {len(lines)} extra sentences")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--extra":
        write_extra(Path(sys.argv[2]), int(sys.argv[3]))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        rng = random.Random(f"{SEED}-{lang['code']}")
        lines = sentences(lang, rng)
        header = [f"# {lang['name']} sentences for the dq-whisper built-in corpus ({len(lines)} lines).",
                  "# Written by tools/corpus/make_sentences.py from templates and word lists made for this project;",
                  "# numbers are ASCII digits (espeak-ng reads them in the language of the voice)."]
        if any("\t" in s for s in lines):
            header.append("# Format: text<TAB>what espeak-ng speaks (tone-numbered pinyin).")
        (OUT / f"{lang['code']}.txt").write_text("\n".join(header + lines) + "\n", encoding="utf-8")
        print(f"{lang['code']}: {len(lines)} sentences")


if __name__ == "__main__":
    main()
