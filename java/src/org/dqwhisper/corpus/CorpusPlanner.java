package org.dqwhisper.corpus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Turns a {@link CorpusConfig} into the list of utterances, without synthesizing anything. Deterministic: every
 * choice draws from a {@link DerivedSeed} of the config's seed, the language, the split and the index.
 *
 * <p>Per language the sentence file is shuffled; the first sentences become test, the next dev, the rest the
 * training pool (reused round-robin, with new speakers and augmentations, when more training utterances are asked
 * for than there are sentences). Each utterance picks a speaker of its split ({@link Speaker#of}), a rate within
 * 8% and a pitch within 6 steps of the speaker's, and an {@link Augmentation}.
 */
public final class CorpusPlanner {
    private CorpusPlanner() {
    }

    /** All utterances: by language in config order, then train, dev, test. */
    public static List<UtterancePlan> plan(CorpusConfig config) {
        List<UtterancePlan> out = new ArrayList<>();
        for (String code : config.languages()) {
            CorpusLanguage language = CorpusLanguage.byCode(code);
            List<Sentence> shuffled = new ArrayList<>(SentenceBank.load(code));
            Collections.shuffle(shuffled, new Random(DerivedSeed.of(config.seed(), code, "sentences")));
            int test = config.count(Split.TEST);
            int dev = config.count(Split.DEV);
            if (test + dev >= shuffled.size()) {
                throw new IllegalArgumentException(code + " has " + shuffled.size() + " sentences, too few for "
                    + test + " test and " + dev + " dev utterances");
            }
            List<Sentence> testSentences = shuffled.subList(0, test);
            List<Sentence> devSentences = shuffled.subList(test, test + dev);
            List<Sentence> trainPool = shuffled.subList(test + dev, shuffled.size());
            for (Split split : Split.values()) {
                List<Speaker> speakers = Speaker.of(language, split);
                for (int k = 0; k < config.count(split); k++) {
                    Sentence sentence = switch (split) {
                        case TRAIN -> trainPool.get(k % trainPool.size());
                        case DEV -> devSentences.get(k);
                        case TEST -> testSentences.get(k);
                    };
                    out.add(utterance(config.seed(), language, split, k, sentence, speakers));
                }
                if (split == Split.TRAIN && config.extraSentences() != null) {
                    List<Sentence> extra = extraSentences(config.extraSentences().resolve(code + ".txt"), shuffled);
                    for (int j = 0; j < extra.size(); j++) {
                        int k = config.count(Split.TRAIN) + j;
                        out.add(utterance(config.seed(), language, split, k, extra.get(j), speakers));
                    }
                }
            }
        }
        return out;
    }

    /** The extra training sentences of {@code file}; none may be one of the built-in {@code bank} sentences. */
    private static List<Sentence> extraSentences(java.nio.file.Path file, List<Sentence> bank) {
        java.util.Set<String> builtIn = new java.util.HashSet<>();
        for (Sentence s : bank) builtIn.add(s.text());
        List<Sentence> extra = SentenceBank.load(file);
        for (Sentence s : extra) {
            if (builtIn.contains(s.text())) {
                throw new IllegalArgumentException(file + ": '" + s.text() + "' is a built-in sentence (it may be a dev or test"
                    + " sentence, so it cannot be an extra training sentence)");
            }
        }
        return extra;
    }

    private static UtterancePlan utterance(long seed, CorpusLanguage language, Split split, int k, Sentence sentence,
                                           List<Speaker> speakers) {
        Random rng = new Random(DerivedSeed.of(seed, language.code(), split.fileStem(), k));
        Speaker speaker = speakers.get(rng.nextInt(speakers.size()));
        int speed = (int) Math.round(speaker.baseSpeed() * (0.92 + 0.16 * rng.nextDouble()));
        int pitch = Math.max(0, Math.min(99, speaker.basePitch() + rng.nextInt(13) - 6));
        Augmentation augmentation = Augmentation.draw(rng);
        String id = String.format(java.util.Locale.ROOT, "%s-%s-%04d", language.code(), split.fileStem(), k);
        return new UtterancePlan(id, language, split, sentence, speaker, speed, pitch, augmentation,
            "audio/" + language.code() + "/" + id + ".wav");
    }
}
