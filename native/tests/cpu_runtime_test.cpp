// Standalone native test (ctest): the thread pool covers every index exactly once for any
// thread count and grain, and ISA forcing clamps to what the CPU has.
#include <cstdio>
#include <vector>
#include <atomic>
#include "dqw/cpu.h"
#include "../src/parallel.h"

static int fails = 0;
#define CHECK(c) do { if (!(c)) { std::fprintf(stderr, "FAIL %s:%d %s\n", __FILE__, __LINE__, #c); ++fails; } } while (0)

int main() {
  for (int threads = 1; threads <= 5; ++threads) {
    dqw_set_num_threads(threads);
    for (int64_t n : {0, 1, 2, 7, 100, 1001}) {
      for (int64_t grain : {1, 3, 16}) {
        std::vector<std::atomic<int>> hits(n > 0 ? n : 1);
        for (auto& h : hits) h = 0;
        dqw::parallel_for_grain(n, grain, [&](int64_t b, int64_t e) {
          if (b % grain != 0) hits[0] += 1000;  // chunk starts must be grain-aligned
          for (int64_t i = b; i < e; ++i) hits[i]++;
        });
        for (int64_t i = 0; i < n; ++i) CHECK(hits[i] == 1);
      }
    }
  }
  int det = dqw_cpu_detected_isa();
  CHECK(dqw_cpu_force_isa(DQW_ISA_SCALAR) == DQW_ISA_SCALAR);
  CHECK(dqw_cpu_active_isa() == DQW_ISA_SCALAR);
  if (det < DQW_ISA_AVX512) CHECK(dqw_cpu_force_isa(DQW_ISA_AVX512) == -2);
  CHECK(dqw_cpu_force_isa(-1) == det);
  std::printf("cpu_runtime_test: detected isa %d, %s\n", det, fails ? "FAILED" : "ok");
  return fails ? 1 : 0;
}
