// Peak probes, AVX-512 path: 16 independent zmm accumulators (more than latency x throughput on any
// core we know: vpdpbusd / vfmadd231ps latency 4-5, at most 2 per cycle), inline asm so the compiler
// cannot merge or drop them. Everything but the two entry points is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include "cpu_peak_kernels.h"

namespace {

#define DQW_ACC16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

// rounds x 16 calls of op(accumulator), one named register per chain (an array would go through
// memory); returns the chains' sum so nothing is dead. V is __m512i or __m512.
template <class V, class Op, class Add>
V chains(int64_t rounds, V first, V step, Op op, Add add) {
#define DQW_DECL(i) V c##i = first; first = add(first, step);  // distinct: no two asm calls look alike
  DQW_ACC16(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) op(c##i);
    DQW_ACC16(DQW_OP)
#undef DQW_OP
  }
  V s = c0;
#define DQW_SUM(i) if (i) s = add(s, c##i);
  DQW_ACC16(DQW_SUM)
#undef DQW_SUM
  return s;
}

#undef DQW_ACC16

double int8_probe(int64_t rounds) {
  const __m512i b = _mm512_set1_epi8(3), a = _mm512_set1_epi8(5);
  const __m512i s = chains(
      rounds, _mm512_set1_epi32(1), _mm512_set1_epi32(2),
      [&](__m512i& c) { __asm__("vpdpbusd %[a], %[b], %[c]" : [c] "+v"(c) : [b] "v"(b), [a] "v"(a)); },
      [](__m512i x, __m512i y) { return _mm512_add_epi32(x, y); });
  __asm__ volatile("" ::"v"(s));
  return 2.0 * 64.0 * 16.0 * (double)rounds;  // 64 u8 x s8 products per vpdpbusd zmm
}

double fp32_probe(int64_t rounds) {
  const __m512 b = _mm512_set1_ps(0.999f), a = _mm512_set1_ps(1e-3f);
  const __m512 s = chains(
      rounds, _mm512_set1_ps(1.0f), _mm512_set1_ps(2.0f),
      [&](__m512& c) { __asm__("vfmadd231ps %[a], %[b], %[c]" : [c] "+v"(c) : [b] "v"(b), [a] "v"(a)); },
      [](__m512 x, __m512 y) { return _mm512_add_ps(x, y); });
  __asm__ volatile("" ::"v"(s));
  return 2.0 * 16.0 * 16.0 * (double)rounds;  // 16 lanes per vfmadd231ps zmm
}

}  // namespace

namespace dqw {
namespace peak {
double int8_avx512(int64_t rounds) { return int8_probe(rounds); }
double fp32_avx512(int64_t rounds) { return fp32_probe(rounds); }
}  // namespace peak
}  // namespace dqw
