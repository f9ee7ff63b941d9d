// Peak probes, AVX2 path: 12 independent ymm accumulators, inline asm. INT8: the AVX2 INT8 GEMM's
// inner pair, vpmaddwd (16 s16 x s16 products into 8 s32 lanes) + vpaddd into the accumulator.
// Everything but the two entry points is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include "cpu_peak_kernels.h"

namespace {

#define DQW_ACC12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

// rounds x 12 calls of op(accumulator), one named register per chain (an array would go through
// memory); returns the chains' sum so nothing is dead. V is __m256i or __m256.
template <class V, class Op, class Add>
V chains(int64_t rounds, V first, V step, Op op, Add add) {
#define DQW_DECL(i) V c##i = first; first = add(first, step);  // distinct: no two asm calls look alike
  DQW_ACC12(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) op(c##i);
    DQW_ACC12(DQW_OP)
#undef DQW_OP
  }
  V s = c0;
#define DQW_SUM(i) if (i) s = add(s, c##i);
  DQW_ACC12(DQW_SUM)
#undef DQW_SUM
  return s;
}

#undef DQW_ACC12

double int8_probe(int64_t rounds) {
  const __m256i b = _mm256_set1_epi16(3), a = _mm256_set1_epi16(5);
  const __m256i s = chains(
      rounds, _mm256_set1_epi32(1), _mm256_set1_epi32(2),
      [&](__m256i& c) {
        __m256i t;
        __asm__("vpmaddwd %[a], %[b], %[t]\n\tvpaddd %[t], %[c], %[c]" : [c] "+x"(c), [t] "=&x"(t) : [b] "x"(b), [a] "x"(a));
      },
      [](__m256i x, __m256i y) { return _mm256_add_epi32(x, y); });
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 16.0 * 12.0 * (double)rounds;  // 16 products per vpmaddwd ymm
}

double fp32_probe(int64_t rounds) {
  const __m256 b = _mm256_set1_ps(0.999f), a = _mm256_set1_ps(1e-3f);
  const __m256 s = chains(
      rounds, _mm256_set1_ps(1.0f), _mm256_set1_ps(2.0f),
      [&](__m256& c) { __asm__("vfmadd231ps %[a], %[b], %[c]" : [c] "+x"(c) : [b] "x"(b), [a] "x"(a)); },
      [](__m256 x, __m256 y) { return _mm256_add_ps(x, y); });
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 12.0 * (double)rounds;  // 8 lanes per vfmadd231ps ymm
}

}  // namespace

namespace dqw {
namespace peak {
double int8_avx2(int64_t rounds) { return int8_probe(rounds); }
double fp32_avx2(int64_t rounds) { return fp32_probe(rounds); }
}  // namespace peak
}  // namespace dqw
