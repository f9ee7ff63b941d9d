// Fake quantization, AVX-512 path: 16 floats per step with masked tails, operation by operation
// the scalar formulation (fake_quant_scalar.cpp). Everything here is file-local (see DqwIsa.cmake).
// GCC 12 false positive inside the AVX-512 intrinsics headers (PR105593)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "fake_quant_kernels.h"

namespace dqw {
namespace fq {
namespace {

constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

inline __mmask16 low_mask16(int64_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1);
}

struct VGrid {
  __m512 inv, scale, zero, lo, hi;
  explicit VGrid(const Grid& g)
      : inv(_mm512_set1_ps(g.inv)), scale(_mm512_set1_ps(g.scale)), zero(_mm512_set1_ps(g.zero)),
        lo(_mm512_set1_ps(g.lo)), hi(_mm512_set1_ps(g.hi)) {}
};

inline __m512 fake(__m512 w, const VGrid& g) {
  __m512 q = _mm512_add_ps(_mm512_roundscale_ps(_mm512_mul_ps(w, g.inv), kRne), g.zero);
  q = _mm512_min_ps(_mm512_max_ps(q, g.lo), g.hi);
  return _mm512_mul_ps(_mm512_sub_ps(q, g.zero), g.scale);
}

void minmax_avx512(const float* x, int64_t n, float* mn, float* mx) {
  __m512 lo = _mm512_set1_ps(x[0]), hi = lo;
  for (int64_t i = 0; i < n; i += 16) {
    // masked-off lanes keep the accumulator (x[0] is in the set anyway)
    const __mmask16 m = low_mask16(n - i);
    const __m512 v = _mm512_mask_loadu_ps(lo, m, x + i);
    const __m512 u = _mm512_mask_loadu_ps(hi, m, x + i);
    lo = _mm512_min_ps(v, lo);
    hi = _mm512_max_ps(u, hi);
  }
  alignas(64) float l[16], h[16];
  _mm512_store_ps(l, lo);
  _mm512_store_ps(h, hi);
  float a = l[0], b = h[0];
  for (int j = 1; j < 16; ++j) {
    a = l[j] < a ? l[j] : a;
    b = h[j] > b ? h[j] : b;
  }
  *mn = a;
  *mx = b;
}

void forward_avx512(const float* w, int64_t n, const Grid& grid, float* out) {
  const VGrid g(grid);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, fake(_mm512_loadu_ps(w + i), g));
  if (i < n) {
    const __mmask16 m = low_mask16(n - i);
    _mm512_mask_storeu_ps(out + i, m, fake(_mm512_maskz_loadu_ps(m, w + i), g));
  }
}

void backward_ste_avx512(const float* w, const float* dq, int64_t n, const Grid& grid, bool accumulate,
                         float* dw) {
  const VGrid g(grid);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = low_mask16(n - i);
    const __m512 q = _mm512_add_ps(_mm512_roundscale_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, w + i), g.inv), kRne),
                                   g.zero);
    const __mmask16 pass =
        _mm512_cmp_ps_mask(q, g.lo, _CMP_GE_OQ) & _mm512_cmp_ps_mask(q, g.hi, _CMP_LE_OQ) & m;
    __m512 d = _mm512_maskz_loadu_ps(pass, dq + i);
    if (accumulate) d = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dw + i), d);
    _mm512_mask_storeu_ps(dw + i, m, d);
  }
}

void backward_lsq_avx512(const float* w, const float* dq, int64_t n, const Grid& grid, bool accumulate, float* dw,
                         double* lanes) {
  const VGrid g(grid);
  __m512d acc0 = _mm512_loadu_pd(lanes), acc1 = _mm512_loadu_pd(lanes + 8);
  for (int64_t i = 0; i < n; i += 16) {  // element i lands in partial i % 16
    const __mmask16 m = low_mask16(n - i);
    const __m512 dv = _mm512_maskz_loadu_ps(m, dq + i);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, w + i), g.inv);
    const __mmask16 inside = _mm512_cmp_ps_mask(v, g.lo, _CMP_GT_OQ) & _mm512_cmp_ps_mask(v, g.hi, _CMP_LT_OQ);
    const __mmask16 below = _mm512_cmp_ps_mask(v, g.lo, _CMP_LE_OQ);
    const __m512 frac = _mm512_sub_ps(_mm512_roundscale_ps(v, kRne), v);
    const __m512 term = _mm512_mask_blend_ps(inside, _mm512_mask_blend_ps(below, g.hi, g.lo), frac);
    __m512 d = _mm512_maskz_mov_ps(inside, dv);
    if (accumulate) d = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dw + i), d);
    _mm512_mask_storeu_ps(dw + i, m, d);
    // masked-off lanes: dv = 0, term = 0 (v = 0 is inside), so they add exactly 0
    acc0 = _mm512_add_pd(acc0, _mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(dv)),
                                             _mm512_cvtps_pd(_mm512_castps512_ps256(term))));
    acc1 = _mm512_add_pd(acc1, _mm512_mul_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(dv, 1)),
                                             _mm512_cvtps_pd(_mm512_extractf32x8_ps(term, 1))));
  }
  _mm512_storeu_pd(lanes, acc0);
  _mm512_storeu_pd(lanes + 8, acc1);
}

}  // namespace

const Kernels& kernels_avx512() {
  static const Kernels k{minmax_avx512, forward_avx512, backward_ste_avx512, backward_lsq_avx512};
  return k;
}

}  // namespace fq
}  // namespace dqw
