#!/usr/bin/env bash
# How models/demo-teacher and models/demo-student were made (the start points `bin/dqw demo` distils).
# Both are Whisper-architecture models with the real multilingual tokenizer, trained from random weights by
# dq-whisper's own `finetune` on the training split of the built-in corpus, then stored with `dqw compact`
# (weight matrices as 8-bit codes + per-row scales, loaded back as FP32; a quarter of the FP32 bytes).
#
# Made on 2026-11-27 with the code at commit 5e2378a (its `finetune` read JSONL through the stand-in reader
# that later commits replaced by the train.data pipeline: a rerun with newer code batches differently and gives
# slightly different weights). The first teacher run was interrupted at update 500 and continued with --resume
# (bit-exact; kernels give identical results for any thread count). On 1-2 AMD Zen 5 cores shared with other jobs:
# teacher ~70 min in all, student ~35 min. Dev CER at the end (greedy, 192 dev utterances of unseen speakers and
# sentences): teacher 80.99 % (78.03 % at update 600: it overfits), student 70.52 %. That teacher was worse than the
# student, so the teacher got a second stage on more data (step 4, code of the same day's later commits): dev CER
# 59.73 %, test CER 63.7 % (student start point: 75.0 %).
# Steps 6 and 7 (session 6, the same day, code at commit f44afc7) make the stronger pair of the README's
# teacher/student ablation; they stay in WORK_DIR and are passed to `dqw demo --teacher/--student`.
# Usage: tools/demo-models/make-demo-models.sh [WORK_DIR]   (writes models/demo-teacher and models/demo-student)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$here/target/demo-models}"
dqw="$here/bin/dqw"
mkdir -p "$work"

# 1. the corpus the demo also uses: 240 utterances per language (seed 1234), train 168 / dev 24 / test 48 per language
"$dqw" corpus --out "$work/corpus" --per-language 240 --quiet

# 2. teacher: 4 encoder + 4 decoder layers, d=256, 4 heads, 7.5-s window (n_audio_ctx 375), 21.3 M parameters
"$dqw" init --out "$work/teacher-init" --d-model 256 --heads 4 --encoder-layers 4 --decoder-layers 4 --audio-ctx 375 --seed 1
"$dqw" finetune --model "$work/teacher-init" --train "$work/corpus/train.jsonl" --dev "$work/corpus/dev.jsonl" \
    --out "$work/teacher-run" --steps 800 --batch-size 16 --lr 1e-3 --warmup 80 --label-smoothing 0.1 --seed 1 \
    --eval-every 200 --save-every 100 --log-every 10 --threads 1

# 3. student start point: 2 + 2 layers, d=120, 2 heads, same window, 6.9 M parameters
"$dqw" init --out "$work/student-init" --d-model 120 --heads 2 --encoder-layers 2 --decoder-layers 2 --audio-ctx 375 --seed 2
"$dqw" finetune --model "$work/student-init" --train "$work/corpus/train.jsonl" --dev "$work/corpus/dev.jsonl" \
    --out "$work/student-run" --steps 1200 --batch-size 16 --lr 1.5e-3 --warmup 100 --label-smoothing 0.1 --seed 2 \
    --eval-every 300 --save-every 100 --log-every 10 --threads 1

# 4. the teacher's second stage (2026-11-27, later the same day): a teacher knows more than its student because it
#    was trained on more data, as Whisper-large was. The stage-1 teacher (in 8-bit storage, as it was shipped first)
#    continues on the same corpus plus 1000 extra sentences per language (tools/corpus/teacher-sentences, written by
#    `tools/corpus/make_sentences.py --extra DIR 1000`, none of them a corpus sentence), spoken by the training
#    speakers only: 9344 training utterances, the same dev and test splits. Input framing = the demo's
#    (padded audio). ~40 min on 2 shared Zen 5 cores. Dev CER 81.0 % -> 76.8 / 75.1 / 63.8 / 59.7 % at
#    updates 250 / 500 / 750 / 1000 (the student start point: 70.5 %).
"$dqw" compact --model "$work/teacher-run/model" --out "$work/teacher-stage1"
"$dqw" corpus --out "$work/corpus-teacher" --per-language 240 --extra-sentences "$here/tools/corpus/teacher-sentences" --quiet
"$dqw" finetune --model "$work/teacher-stage1" --train "$work/corpus-teacher/train.jsonl" --dev "$work/corpus-teacher/dev.jsonl" \
    --out "$work/teacher-run2" --steps 1000 --batch-size 16 --lr 5e-4 --warmup 50 --label-smoothing 0.1 --seed 4 \
    --eval-every 250 --save-every 100 --log-every 10 --threads 2 --framing padded-audio

# 5. 8-bit storage into the repository
rm -rf "$here/models/demo-teacher" "$here/models/demo-student"
"$dqw" compact --model "$work/teacher-run2/model" --out "$here/models/demo-teacher"
"$dqw" compact --model "$work/student-run/model" --out "$here/models/demo-student"

# 6. ablation teacher: the bundled (second-stage) teacher continues on the same 9344 utterances for 600 more
#    updates. ~21 min on 2 Zen 5 cores. Dev CER 62.7 / 55.0 / 50.4 % at updates 200 / 400 / 600, test 54.4 %
#    (docs/demo-models/teacher-stage3-metrics.csv).
"$dqw" finetune --model "$here/models/demo-teacher" --train "$work/corpus-teacher/train.jsonl" --dev "$work/corpus-teacher/dev.jsonl" \
    --out "$work/teacher-run3" --steps 600 --batch-size 16 --lr 4e-4 --warmup 30 --label-smoothing 0.1 --seed 6 \
    --eval-every 200 --save-every 100 --log-every 10 --threads 2 --framing padded-audio
"$dqw" compact --model "$work/teacher-run3/model" --out "$work/teacher-stage3"

# 7. ablation student start point: the bundled student (trained with a leading space before Mandarin text, which
#    Whisper, the teacher and the demo do not use) continues on the demo's 1344 training utterances with the demo's
#    labels and input framing for 300 updates. ~5 min. Dev CER 72.5 / 66.5 / 64.1 % at updates 100 / 200 / 300
#    (was 70.5 %), test 70.5 % (was 75.0 %) (docs/demo-models/student-stage2-metrics.csv).
"$dqw" finetune --model "$here/models/demo-student" --train "$work/corpus/train.jsonl" --dev "$work/corpus/dev.jsonl" \
    --out "$work/student-run2" --steps 300 --batch-size 16 --lr 5e-4 --warmup 30 --label-smoothing 0.1 --seed 5 \
    --eval-every 100 --save-every 100 --log-every 10 --threads 2 --framing padded-audio
"$dqw" compact --model "$work/student-run2/model" --out "$work/student-stage2"
