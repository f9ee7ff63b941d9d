#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU, nvcc and cmake, but maybe no network, JDK or Maven.
#
#   scripts/gpu-check.sh OUTDIR
#
# 1. builds the native libraries with CMake (Release, CUDA required) into $BUILD_DIR
#    (default target/gpu-build), and the CUDA micro-benchmark;
# 2. runs the standalone native tests with ctest (no JVM): cuda_*_test check every kernel against
#    double-precision CPU references;
# 3. runs cuda_bench (cudaEvent timings, JSON: INT8 / FP16 GEMM on Whisper shapes, fused vs naive
#    attention at T=1500, fake-quant bandwidth; cuBLASLt baselines when the toolkit has libcublasLt);
# 4. if a Java runtime exists (target/jre/bin/java, else `java` on PATH) and the Java artifacts were
#    carried along, runs the org.dqwhisper.cuda JUnit tests (the @Tag("gpu") ones included) through
#    org.dqwhisper.cuda.GpuTestMain, with the freshly built libdqw_cuda.so.
# 5. times Whisper on the GPU (org.dqwhisper.bench.CudaModelBenchmark: encoder and decode, base/small shapes,
#    FP16 and INT8, CPU rows beside them).
# Writes OUTDIR/summary.txt, OUTDIR/results.json and OUTDIR/logs.tgz (every log and JSON file). Exit status 0 only when every
# step that ran passed. Takes about 2-4 minutes on an H100 machine with 16 cores.
#
# Java artifacts to carry from a machine with Maven (offline GPU machine):
#   mvn -B -ntp package -DskipTests dependency:copy-dependencies -DincludeScope=test \
#       -DoutputDirectory=target/test-lib \
#       -DexcludeArtifactIds=dnnl,opencl,ffmpeg,jmh-core,jmh-generator-annprocess,commons-math3
#   -> target/classes (7 MB), target/test-classes (1 MB), target/test-lib (3.3 MB: JUnit, JavaCPP, ...)
# and, when the GPU machine has no JDK, a small runtime (35 MB) made with the JDK's jlink:
#   jlink --add-modules java.base,java.logging,java.management,jdk.unsupported \
#       --strip-debug --no-header-files --no-man-pages --compress=2 --output target/jre
# (all four fit the 64 MiB a device run can carry, once scripts/gpu-stage.sh stage has trimmed the tracked
# files that the GPU run does not need; scripts/gpu-stage.sh restore puts them back).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

OUT=${1:?usage: scripts/gpu-check.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BUILD=${BUILD_DIR:-$ROOT/target/gpu-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 4)}
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
status_all=0

say "gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | sed 's/^/gpu: /' | tee -a "$SUMMARY"

# ---- 1. build ---------------------------------------------------------------------------------------
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
[ -f "$BUILD/CMakeCache.txt" ] && gen=()  # keep the generator of an existing build folder
build_ok=false
start=$(date +%s)
if timeout 600 cmake -S native -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DDQW_CUDA=ON -DDQW_CUDA_ARCHITECTURES="${CUDA_ARCHS:-90}" >"$OUT/cmake-configure.log" 2>&1 \
  && timeout 900 cmake --build "$BUILD" -j "$JOBS" --target dqw dqw_cuda >"$OUT/cmake-build.log" 2>&1; then
  build_ok=true
fi
# the test executables, then the benchmark on its own: a failure there (e.g. a cuBLASLt header
# mismatch) must not keep the tests from being built
tests=()
for t in native/tests/*_test.cpp native/cuda/tests/*_test.cu; do [ -e "$t" ] && tests+=("$(basename "${t%.*}")"); done
if [ "$build_ok" = true ]; then
  timeout 900 cmake --build "$BUILD" -j "$JOBS" --target "${tests[@]}" >>"$OUT/cmake-build.log" 2>&1 || build_ok=false
  timeout 600 cmake --build "$BUILD" -j "$JOBS" --target cuda_bench >>"$OUT/cmake-build.log" 2>&1 || echo "cuda_bench did not build" >>"$OUT/cmake-build.log"
fi
say "build: $([ "$build_ok" = true ] && echo ok || echo FAILED) in $(( $(date +%s) - start )) s (log: cmake-build.log)"
grep -m1 -E 'cuda_bench (with|without) cuBLASLt' "$OUT/cmake-configure.log" | sed 's/^-- /build: /' | tee -a "$SUMMARY"
[ "$build_ok" = true ] || status_all=1

# ---- 2. native tests -----------------------------------------------------------------------------------
ctest_passed=null; ctest_failed=null
if [ "$build_ok" = true ]; then
  timeout 600 ctest --test-dir "$BUILD" --verbose >"$OUT/ctest.log" 2>&1
  rc=$?
  # "88% tests passed, 1 tests failed out of 8", or "100% tests passed out of 9" when none failed
  line=$(grep -E 'tests passed(, [0-9]+ tests failed)? out of' "$OUT/ctest.log" | tail -1)
  total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  ctest_failed=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/')
  [[ "$line" == *"tests passed out of"* ]] && ctest_failed=0
  [[ "$total" =~ ^[0-9]+$ && "$ctest_failed" =~ ^[0-9]+$ ]] && ctest_passed=$((total - ctest_failed)) || { ctest_passed=null; ctest_failed=null; }
  say "ctest: ${line:-no summary} (rc $rc, log: ctest.log)"
  grep -h -E '^[0-9]+: (FAIL|no CUDA device)' "$OUT/ctest.log" | head -20 | sed 's/^/  /' | tee -a "$SUMMARY"
  grep -h -E '^[0-9]+: [a-z_]+_test: [0-9]+ passed, [0-9]+ failed' "$OUT/ctest.log" | sed 's/^/  /' | tee -a "$SUMMARY"
  [ $rc -eq 0 ] || status_all=1
  if grep -q 'no CUDA device, skipping' "$OUT/ctest.log"; then say "ctest: WARNING the CUDA tests skipped: no device"; status_all=1; fi
fi

# ---- 3. benchmark -------------------------------------------------------------------------------------------
bench_json=null
if [ -x "$BUILD/cuda_bench" ]; then
  if timeout 300 "$BUILD/cuda_bench" >"$OUT/bench.json" 2>"$OUT/bench.log"; then
    bench_json=$(cat "$OUT/bench.json")
    if grep -q '"skipped"' "$OUT/bench.json"; then
      say "bench: skipped, no device: $(cat "$OUT/bench.json")"; status_all=1
    else
      say "bench: ok (bench.json)"
      grep -o '"speedup_fused_vs_naive":[0-9.e+-]*' "$OUT/bench.json" | sed 's/^/  attention /' | tee -a "$SUMMARY"
    fi
  else
    say "bench: FAILED (bench.log)"; status_all=1
  fi
else
  say "bench: not built"; status_all=1
fi

# ---- 3b. PyTorch second reference (cuBLAS FP16, torch._int_mm INT8, SDPA), when torch exists -------------------
torch_json=null
if command -v python3 >/dev/null 2>&1; then
  if timeout 180 python3 scripts/torch-baseline.py >"$OUT/torch.json" 2>"$OUT/torch.log" && [ -s "$OUT/torch.json" ]; then
    torch_json=$(cat "$OUT/torch.json")
    say "torch: $(head -c 160 "$OUT/torch.json")... (torch.json)"
  else
    say "torch: baseline failed (torch.log), not counted against the check"
  fi
fi

# ---- 4. Java GPU tests ------------------------------------------------------------------------------------------
java_passed=null; java_failed=null; java_skipped=null
JAVA=""
[ -x "$ROOT/target/jre/bin/java" ] && JAVA="$ROOT/target/jre/bin/java"
[ -z "$JAVA" ] && command -v java >/dev/null 2>&1 && JAVA=$(command -v java)
if [ -z "$JAVA" ]; then
  say "java: no Java runtime (target/jre or java on PATH): Java GPU tests not run"
elif [ ! -d target/classes ] || [ ! -d target/test-classes ] || [ ! -d target/test-lib ]; then
  say "java: target/classes, target/test-classes or target/test-lib missing: Java GPU tests not run"
elif [ "$build_ok" != true ]; then
  say "java: skipped (native build failed)"
else
  # a copy of target/classes with the libraries just built (the JNI glue finds them through $ORIGIN)
  CLS="${TMPDIR:-/tmp}/dqw-gpu-classes"
  rm -rf "$CLS" && cp -r target/classes "$CLS"
  natdir=$(dirname "$(find "$CLS" -name 'libjniNativeCuda.so' | head -1)")
  if [ -d "$natdir" ]; then
    cp "$BUILD/lib/libdqw_cuda.so" "$BUILD/lib/libdqw.so" "$natdir/"
    timeout 900 "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx8g -Dorg.bytedeco.javacpp.cachedir="${TMPDIR:-/tmp}/dqw-javacpp-cache" \
      -cp "$CLS:target/test-classes:target/test-lib/*" org.dqwhisper.cuda.GpuTestMain --require-device >"$OUT/java-tests.log" 2>&1
    rc=$?
    line=$(grep -a -E '^GpuTestMain: ' "$OUT/java-tests.log" | tail -1)
    if [ -n "$line" ]; then
      java_passed=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
      java_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
      java_skipped=$(echo "$line" | sed -E 's/.* ([0-9]+) skipped.*/\1/')
    fi
    say "java: ${line:-no summary: $(tail -1 "$OUT/java-tests.log")} (rc $rc, log: java-tests.log)"
    grep -a -E '^(FAILED|ABORTED)' "$OUT/java-tests.log" | head -20 | sed 's/^/  /' | tee -a "$SUMMARY"
    [ $rc -eq 0 ] || status_all=1
  else
    say "java: no JNI libraries under target/classes (was the Maven build complete?)"; status_all=1
  fi
fi

# ---- 5. Whisper on the GPU: encoder ms and decode ms/token, base and small shapes (random weights) -------------------
model_json=null
if [ -n "$JAVA" ] && [ "$build_ok" = true ] && [ -d "${CLS:-/nonexistent}" ]; then
  if timeout 300 "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx16g -Dorg.bytedeco.javacpp.cachedir="${TMPDIR:-/tmp}/dqw-javacpp-cache" \
      -cp "$CLS:target/test-lib/*" org.dqwhisper.bench.CudaModelBenchmark "${MODEL_SIZES:-base,small}" 10 64 "${CPU_THREADS:-$JOBS}" \
      >"$OUT/model-bench.jsonl" 2>"$OUT/model-bench.log"; then
    model_json="[$(paste -sd, "$OUT/model-bench.jsonl")]"
    say "model bench: ok (model-bench.jsonl)"
    sed 's/^/  /' "$OUT/model-bench.jsonl" | tee -a "$SUMMARY"
  else
    say "model bench: FAILED (model-bench.log)"; status_all=1
  fi
fi

# ---- results ------------------------------------------------------------------------------------------------------
cat >"$OUT/results.json" <<EOF
{"ok": $([ $status_all -eq 0 ] && echo true || echo false),
 "build_ok": $build_ok,
 "ctest": {"passed": $ctest_passed, "failed": $ctest_failed},
 "java": {"passed": $java_passed, "failed": $java_failed, "skipped": $java_skipped},
 "bench": $bench_json,
 "torch": $torch_json,
 "model": $model_json}
EOF
say "result: $([ $status_all -eq 0 ] && echo PASS || echo FAIL) (results.json)"
# a device run returns few files: everything but the summary and the JSON goes into one archive
( cd "$OUT" && files=$(ls | grep -v -x -e summary.txt -e results.json -e logs.tgz) && [ -n "$files" ] \
    && tar czf logs.tgz $files && rm -rf $files ) || true
exit $status_all
