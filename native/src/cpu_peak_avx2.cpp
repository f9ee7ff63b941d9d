// Peak probes, AVX2 path: 12 independent ymm accumulators, inline asm. INT8: the AVX2 INT8 GEMM's
// inner pair, vpmaddwd (16 s16 x s16 products into 8 s32 lanes) + vpaddd into the accumulator.
// Everything but the two entry points is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include "cpu_peak_kernels.h"

namespace {

#define DQW_ACC12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

double int8_chains(int64_t rounds) {
  const __m256i b = _mm256_set1_epi16(3), a = _mm256_set1_epi16(5);
#define DQW_DECL(i) __m256i c##i = _mm256_set1_epi32(i); __m256i t##i;
  DQW_ACC12(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i)                                                                           \
  __asm__("vpmaddwd %[a], %[b], %[t]\n\tvpaddd %[t], %[c], %[c]"                            \
          : [c] "+x"(c##i), [t] "=&x"(t##i)                                                 \
          : [b] "x"(b), [a] "x"(a));
    DQW_ACC12(DQW_OP)
#undef DQW_OP
  }
  __m256i s = _mm256_setzero_si256();
#define DQW_SUM(i) s = _mm256_add_epi32(s, c##i);
  DQW_ACC12(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 16.0 * 12.0 * (double)rounds;  // 16 products per vpmaddwd ymm
}

double fp32_chains(int64_t rounds) {
  const __m256 b = _mm256_set1_ps(0.999f), a = _mm256_set1_ps(1e-3f);
#define DQW_DECL(i) __m256 c##i = _mm256_set1_ps((float)i);
  DQW_ACC12(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) __asm__("vfmadd231ps %[a], %[b], %[c]" : [c] "+x"(c##i) : [b] "x"(b), [a] "x"(a));
    DQW_ACC12(DQW_OP)
#undef DQW_OP
  }
  __m256 s = _mm256_setzero_ps();
#define DQW_SUM(i) s = _mm256_add_ps(s, c##i);
  DQW_ACC12(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 12.0 * (double)rounds;  // 8 lanes per vfmadd231ps ymm
}

#undef DQW_ACC12

}  // namespace

namespace dqw {
namespace peak {
double int8_avx2(int64_t rounds) { return int8_chains(rounds); }
double fp32_avx2(int64_t rounds) { return fp32_chains(rounds); }
}  // namespace peak
}  // namespace dqw
