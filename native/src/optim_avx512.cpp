// AdamW, AVX512 path: 8 elements per step in double, the operations of dqw/optim.h in the same order
// (mul, add, sqrt, div and the float<->double conversions are all correctly rounded, nothing is fused),
// then the scalar formula for the tail. Everything here is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include <cmath>

#include "optim_kernels.h"

namespace dqw {
namespace optim {
namespace {

void loop(float* p, const float* g, float* m, float* v, int64_t n, const AdamWCoefficients& c) {
  const __m512d b1 = _mm512_set1_pd(c.beta1), omb1 = _mm512_set1_pd(c.one_minus_beta1), b2 = _mm512_set1_pd(c.beta2),
            omb2 = _mm512_set1_pd(c.one_minus_beta2), decay = _mm512_set1_pd(c.decay),
            step = _mm512_set1_pd(c.step_size), sqrt_c2 = _mm512_set1_pd(c.sqrt_c2), eps = _mm512_set1_pd(c.eps);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d gi = _mm512_cvtps_pd(_mm256_loadu_ps(g + i));
    const __m256 mf = _mm512_cvtpd_ps(_mm512_add_pd(_mm512_mul_pd(b1, _mm512_cvtps_pd(_mm256_loadu_ps(m + i))), _mm512_mul_pd(omb1, gi)));
    const __m256 vf = _mm512_cvtpd_ps(_mm512_add_pd(_mm512_mul_pd(b2, _mm512_cvtps_pd(_mm256_loadu_ps(v + i))), _mm512_mul_pd(_mm512_mul_pd(omb2, gi), gi)));
    _mm256_storeu_ps(m + i, mf);
    _mm256_storeu_ps(v + i, vf);
    const __m512d denom = _mm512_add_pd(_mm512_div_pd(_mm512_sqrt_pd(_mm512_cvtps_pd(vf)), sqrt_c2), eps);
    const __m512d upd = _mm512_div_pd(_mm512_mul_pd(step, _mm512_cvtps_pd(mf)), denom);
    _mm256_storeu_ps(p + i, _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p + i)), decay), upd)));
  }
  for (; i < n; ++i) {
    const double gi = g[i];
    const float mf = (float)(c.beta1 * (double)m[i] + c.one_minus_beta1 * gi);
    const float vf = (float)(c.beta2 * (double)v[i] + (c.one_minus_beta2 * gi) * gi);
    m[i] = mf;
    v[i] = vf;
    const double denom = std::sqrt((double)vf) / c.sqrt_c2 + c.eps;
    p[i] = (float)((double)p[i] * c.decay - (c.step_size * (double)mf) / denom);
  }
}

}  // namespace

AdamWLoop adamw_avx512() { return loop; }

}  // namespace optim
}  // namespace dqw
