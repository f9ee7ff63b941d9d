// Peak probe (dqw_cpu_peak_probe): the instruction mix that bounds each GEMM family, from registers,
// so benchmarks can state a kernel's fraction of what the core can do. Dispatch and the scalar path.
#include "dqw/cpu.h"

#include <emmintrin.h>

#include "cpu_peak_kernels.h"

namespace {

// The scalar path is baseline x86-64, which has SSE2 and lets the compiler vectorise plain loops, so
// its bound is SSE2's: 8 independent chains of pmaddwd + paddd (INT8, 8 s16 products per xmm) and of
// mulps + addps (FP32, 4 lanes). The empty asm makes every operation run (a is 'new' each time)
// and keeps each chain in its own register.
#define DQW_ACC8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

double probe_int8_scalar(int64_t rounds) {
  __m128i a = _mm_set1_epi16(3), b = _mm_set1_epi16(5);
  __asm__ volatile("" : "+x"(a), "+x"(b));
#define DQW_DECL(i) __m128i c##i = _mm_set1_epi32(i);
  DQW_ACC8(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i)                                  \
  __asm__ volatile("" : "+x"(a));                   \
  c##i = _mm_add_epi32(c##i, _mm_madd_epi16(a, b)); \
  __asm__ volatile("" : "+x"(c##i));
    DQW_ACC8(DQW_OP)
#undef DQW_OP
  }
  __m128i s = _mm_setzero_si128();
#define DQW_SUM(i) s = _mm_add_epi32(s, c##i);
  DQW_ACC8(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 8.0 * (double)rounds;
}

double probe_fp32_scalar(int64_t rounds) {
  __m128 a = _mm_set1_ps(0.999f), b = _mm_set1_ps(1e-3f);
  __asm__ volatile("" : "+x"(a), "+x"(b));
#define DQW_DECL(i) __m128 c##i = _mm_set1_ps((float)i);
  DQW_ACC8(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i)                               \
  __asm__ volatile("" : "+x"(a));                \
  c##i = _mm_add_ps(c##i, _mm_mul_ps(a, b));    \
  __asm__ volatile("" : "+x"(c##i));
    DQW_ACC8(DQW_OP)
#undef DQW_OP
  }
  __m128 s = _mm_setzero_ps();
#define DQW_SUM(i) s = _mm_add_ps(s, c##i);
  DQW_ACC8(DQW_SUM)
#undef DQW_SUM
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 4.0 * (double)rounds;
}

#undef DQW_ACC8

}  // namespace

extern "C" DQW_API double dqw_cpu_peak_probe(int32_t kind, int64_t rounds) {
  if (rounds < 1 || (kind != DQW_PEAK_INT8 && kind != DQW_PEAK_FP32)) return -1.0;
  switch (dqw_cpu_active_isa()) {
    case DQW_ISA_AVX512:
      return kind == DQW_PEAK_INT8 ? dqw::peak::int8_avx512(rounds) : dqw::peak::fp32_avx512(rounds);
    case DQW_ISA_AVX2:
      return kind == DQW_PEAK_INT8 ? dqw::peak::int8_avx2(rounds) : dqw::peak::fp32_avx2(rounds);
    default:
      return kind == DQW_PEAK_INT8 ? probe_int8_scalar(rounds) : probe_fp32_scalar(rounds);
  }
}
