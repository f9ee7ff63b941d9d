// Peak probes, AVX-512 path: 16 independent zmm accumulators (more than latency x throughput on any
// core we know: vpdpbusd / vfmadd231ps latency 4-5, at most 2 per cycle), inline asm so the compiler
// cannot merge or drop them. Everything but the two entry points is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include "cpu_peak_kernels.h"

namespace {

#define DQW_ACC16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

double int8_chains(int64_t rounds) {
  const __m512i b = _mm512_set1_epi8(3), a = _mm512_set1_epi8(5);
#define DQW_DECL(i) __m512i c##i = _mm512_set1_epi32(i);
  DQW_ACC16(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) __asm__("vpdpbusd %[a], %[b], %[c]" : [c] "+v"(c##i) : [b] "v"(b), [a] "v"(a));
    DQW_ACC16(DQW_OP)
#undef DQW_OP
  }
  __m512i s = _mm512_setzero_si512();
#define DQW_SUM(i) s = _mm512_add_epi32(s, c##i);
  DQW_ACC16(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"v"(s));
  return 2.0 * 64.0 * 16.0 * (double)rounds;  // 64 u8 x s8 products per vpdpbusd zmm
}

double fp32_chains(int64_t rounds) {
  const __m512 b = _mm512_set1_ps(0.999f), a = _mm512_set1_ps(1e-3f);
#define DQW_DECL(i) __m512 c##i = _mm512_set1_ps((float)i);
  DQW_ACC16(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) __asm__("vfmadd231ps %[a], %[b], %[c]" : [c] "+v"(c##i) : [b] "v"(b), [a] "v"(a));
    DQW_ACC16(DQW_OP)
#undef DQW_OP
  }
  __m512 s = _mm512_setzero_ps();
#define DQW_SUM(i) s = _mm512_add_ps(s, c##i);
  DQW_ACC16(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"v"(s));
  return 2.0 * 16.0 * 16.0 * (double)rounds;  // 16 lanes per vfmadd231ps zmm
}

#undef DQW_ACC16

}  // namespace

namespace dqw {
namespace peak {
double int8_avx512(int64_t rounds) { return int8_chains(rounds); }
double fp32_avx512(int64_t rounds) { return fp32_chains(rounds); }
}  // namespace peak
}  // namespace dqw
