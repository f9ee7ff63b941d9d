// Peak probe (dqw_cpu_peak_probe): the instruction mix that bounds each GEMM family, from registers,
// so benchmarks can state a kernel's fraction of what the core can do. Dispatch and the scalar path.
#include "dqw/cpu.h"

#include <emmintrin.h>

#include "cpu_peak_kernels.h"

namespace {

// The scalar path is baseline x86-64, which has SSE2 and lets the compiler vectorise plain loops, so
// its bound is SSE2's: 8 independent chains of pmaddwd + paddd (INT8, 8 s16 products per xmm) and of
// mulps + addps (FP32, 4 lanes). Plain intrinsics, so empty asm statements make every operation run
// (the operand is 'new' each time, so the product is not hoisted) and keep each chain in a register.
#define DQW_ACC8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

// rounds x 8 calls of op(accumulator), one named register per chain (an array would go through
// memory); returns the chains' sum so nothing is dead. V is __m128i or __m128.
template <class V, class Op, class Add>
V chains(int64_t rounds, V first, V step, Op op, Add add) {
#define DQW_DECL(i) V c##i = first; first = add(first, step);
  DQW_ACC8(DQW_DECL)
#undef DQW_DECL
  for (int64_t r = 0; r < rounds; ++r) {
#define DQW_OP(i) op(c##i); __asm__ volatile("" : "+x"(c##i));
    DQW_ACC8(DQW_OP)
#undef DQW_OP
  }
  V s = c0;
#define DQW_SUM(i) if (i) s = add(s, c##i);
  DQW_ACC8(DQW_SUM)
#undef DQW_SUM
  return s;
}

#undef DQW_ACC8

double probe_int8_scalar(int64_t rounds) {
  __m128i a = _mm_set1_epi16(3);
  const __m128i b = _mm_set1_epi16(5);
  const auto add = [](__m128i x, __m128i y) { return _mm_add_epi32(x, y); };
  const __m128i s = chains(
      rounds, _mm_set1_epi32(1), _mm_set1_epi32(2),
      [&](__m128i& c) {
        __asm__ volatile("" : "+x"(a));
        c = _mm_add_epi32(c, _mm_madd_epi16(a, b));
      },
      add);
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 8.0 * (double)rounds;
}

double probe_fp32_scalar(int64_t rounds) {
  __m128 a = _mm_set1_ps(0.999f);
  const __m128 b = _mm_set1_ps(1e-3f);
  const auto add = [](__m128 x, __m128 y) { return _mm_add_ps(x, y); };
  const __m128 s = chains(
      rounds, _mm_set1_ps(1.0f), _mm_set1_ps(2.0f),
      [&](__m128& c) {
        __asm__ volatile("" : "+x"(a));
        c = _mm_add_ps(c, _mm_mul_ps(a, b));
      },
      add);
  __asm__ volatile("" ::"x"(s));
  return 2.0 * 8.0 * 4.0 * (double)rounds;
}

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
