#!/usr/bin/env bash
# Trims the working tree for a device run that copies it (a 64 MiB limit, tracked files included), and puts it back.
#
#   scripts/gpu-stage.sh stage     # build first: mvn -B -ntp package -DskipTests dependency:copy-dependencies ... (see
#                                  # scripts/gpu-check.sh) and jlink target/jre; then stage, run gpu-check.sh, then
#   scripts/gpu-stage.sh restore   # always, also when the run failed
#
# stage moves models/, java/, tools/, docs/, benchmarks/, tests/java and tests/data to $HOLD (default
# ../dqw-gpu-hold), copies back only what the GPU tests read (the tiny-random-a OpenAI checkpoint, expected.json, the
# JFK WAV, and expected.safetensors cut down to its "mel" tensor), drops the CPU-built libdqw_cuda.so from
# target/classes (gpu-check.sh copies in the one it builds) and strips the JRE's libjvm.so. Carry target/classes,
# target/test-classes, target/test-lib and target/jre: about 17 + 43 MiB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
HOLD=${HOLD:-../dqw-gpu-hold}
MOVED=(models java tools docs benchmarks tests/java tests/data)
case "${1:-}" in
  stage)
    [ -e "$HOLD" ] && { echo "gpu-stage: $HOLD exists (an earlier stage not restored?); restore first" >&2; exit 1; }
    mkdir -p "$HOLD/tests"
    for p in "${MOVED[@]}"; do mv "$p" "$HOLD/$p"; done
    mkdir -p tests/data/tiny-random-a/openai tests/data/audio
    cp "$HOLD"/tests/data/tiny-random-a/openai/* tests/data/tiny-random-a/openai/
    cp "$HOLD"/tests/data/tiny-random-a/expected.json tests/data/tiny-random-a/
    cp "$HOLD"/tests/data/audio/jfk_16k_mono_s16.wav tests/data/audio/
    python3 - "$HOLD/tests/data/tiny-random-a/expected.safetensors" tests/data/tiny-random-a/expected.safetensors <<'PY'
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    h = json.loads(f.read(n))
    a, b = h['mel']['data_offsets']
    f.seek(8 + n + a)
    data = f.read(b - a)
hj = json.dumps({'mel': {'dtype': 'F32', 'shape': h['mel']['shape'], 'data_offsets': [0, len(data)]}}).encode()
hj += b' ' * ((8 - len(hj) % 8) % 8)
with open(dst, 'wb') as f:
    f.write(struct.pack('<Q', len(hj)) + hj + data)
PY
    rm -f target/classes/org/dqwhisper/nativelib/linux-x86_64/libdqw_cuda.so
    [ -f target/jre/lib/server/libjvm.so ] && strip --strip-unneeded target/jre/lib/server/libjvm.so || true
    du -sh --exclude=.git --exclude=target . ;;
  restore)
    [ -d "$HOLD" ] || { echo "gpu-stage: nothing staged ($HOLD missing)" >&2; exit 1; }
    rm -rf tests/data
    for p in "${MOVED[@]}"; do mv "$HOLD/$p" "$p"; done
    rmdir "$HOLD/tests" "$HOLD"
    echo "restored; target/classes lacks libdqw_cuda.so until the next Maven build"
    git status --short ;;
  *) echo "usage: scripts/gpu-stage.sh stage|restore" >&2; exit 2 ;;
esac
