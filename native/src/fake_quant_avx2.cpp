// Fake quantization, AVX2 path: 8 floats per step, operation by operation the scalar formulation
// (fake_quant_scalar.cpp). Everything here is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include "fake_quant_kernels.h"

namespace dqw {
namespace fq {
namespace {

constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

inline __m256i lane_mask(int64_t n) {  // lanes [0, n) set, n may exceed 8
  const int c = n >= 8 ? 8 : (int)n;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct VGrid {
  __m256 inv, scale, zero, lo, hi;
  explicit VGrid(const Grid& g)
      : inv(_mm256_set1_ps(g.inv)), scale(_mm256_set1_ps(g.scale)), zero(_mm256_set1_ps(g.zero)),
        lo(_mm256_set1_ps(g.lo)), hi(_mm256_set1_ps(g.hi)) {}
};

inline __m256 fake(__m256 w, const VGrid& g) {
  __m256 q = _mm256_add_ps(_mm256_round_ps(_mm256_mul_ps(w, g.inv), kRne), g.zero);
  q = _mm256_min_ps(_mm256_max_ps(q, g.lo), g.hi);
  return _mm256_mul_ps(_mm256_sub_ps(q, g.zero), g.scale);
}

inline __m256 ste(__m256 w, __m256 dq, const VGrid& g) {
  const __m256 q = _mm256_add_ps(_mm256_round_ps(_mm256_mul_ps(w, g.inv), kRne), g.zero);
  const __m256 pass = _mm256_and_ps(_mm256_cmp_ps(q, g.lo, _CMP_GE_OQ), _mm256_cmp_ps(q, g.hi, _CMP_LE_OQ));
  return _mm256_and_ps(pass, dq);
}

void minmax_avx2(const float* x, int64_t n, float* mn, float* mx) {
  __m256 lo = _mm256_set1_ps(x[0]), hi = lo;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    lo = _mm256_min_ps(v, lo);
    hi = _mm256_max_ps(v, hi);
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, lo);
  _mm256_store_ps(h, hi);
  float a = l[0], b = h[0];
  for (int j = 1; j < 8; ++j) {
    a = l[j] < a ? l[j] : a;
    b = h[j] > b ? h[j] : b;
  }
  for (; i < n; ++i) {
    a = x[i] < a ? x[i] : a;
    b = x[i] > b ? x[i] : b;
  }
  *mn = a;
  *mx = b;
}

void forward_avx2(const float* w, int64_t n, const Grid& grid, float* out) {
  const VGrid g(grid);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, fake(_mm256_loadu_ps(w + i), g));
  if (i < n) {
    const __m256i m = lane_mask(n - i);
    _mm256_maskstore_ps(out + i, m, fake(_mm256_maskload_ps(w + i, m), g));
  }
}

void backward_ste_avx2(const float* w, const float* dq, int64_t n, const Grid& grid, bool accumulate, float* dw) {
  const VGrid g(grid);
  for (int64_t i = 0; i < n; i += 8) {
    const __m256i m = lane_mask(n - i);
    __m256 d = ste(_mm256_maskload_ps(w + i, m), _mm256_maskload_ps(dq + i, m), g);
    if (accumulate) d = _mm256_add_ps(_mm256_maskload_ps(dw + i, m), d);
    _mm256_maskstore_ps(dw + i, m, d);
  }
}

void backward_lsq_avx2(const float* w, const float* dq, int64_t n, const Grid& grid, bool accumulate, float* dw,
                       double* lanes) {
  const VGrid g(grid);
  __m256d acc[4] = {_mm256_loadu_pd(lanes), _mm256_loadu_pd(lanes + 4), _mm256_loadu_pd(lanes + 8),
                    _mm256_loadu_pd(lanes + 12)};
  // 16 elements per step so that element i always lands in partial i % 16; masked-off lanes load 0
  // and add (double) 0 * term = 0
  for (int64_t i = 0; i < n; i += 16) {
    for (int h = 0; h < 2; ++h) {
      const int64_t j = i + 8 * h;
      const __m256i m = lane_mask(n - j > 0 ? n - j : 0);
      const __m256 wv = _mm256_maskload_ps(w + j, m), dv = _mm256_maskload_ps(dq + j, m);
      const __m256 v = _mm256_mul_ps(wv, g.inv);
      const __m256 inside = _mm256_and_ps(_mm256_cmp_ps(v, g.lo, _CMP_GT_OQ), _mm256_cmp_ps(v, g.hi, _CMP_LT_OQ));
      const __m256 below = _mm256_cmp_ps(v, g.lo, _CMP_LE_OQ);
      const __m256 frac = _mm256_sub_ps(_mm256_round_ps(v, kRne), v);
      const __m256 term = _mm256_blendv_ps(_mm256_blendv_ps(g.hi, g.lo, below), frac, inside);
      __m256 d = _mm256_and_ps(inside, dv);
      if (accumulate) d = _mm256_add_ps(_mm256_maskload_ps(dw + j, m), d);
      _mm256_maskstore_ps(dw + j, m, d);
      const __m256d p0 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(dv)),
                                       _mm256_cvtps_pd(_mm256_castps256_ps128(term)));
      const __m256d p1 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(dv, 1)),
                                       _mm256_cvtps_pd(_mm256_extractf128_ps(term, 1)));
      acc[2 * h] = _mm256_add_pd(acc[2 * h], p0);
      acc[2 * h + 1] = _mm256_add_pd(acc[2 * h + 1], p1);
    }
  }
  for (int j = 0; j < 4; ++j) _mm256_storeu_pd(lanes + 4 * j, acc[j]);
}

}  // namespace

const Kernels& kernels_avx2() {
  static const Kernels k{minmax_avx2, forward_avx2, backward_ste_avx2, backward_lsq_avx2};
  return k;
}

}  // namespace fq
}  // namespace dqw
