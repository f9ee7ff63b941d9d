// AdamW, scalar path: the formula of dqw/optim.h element by element (compiled without contraction).
#include <cmath>

#include "optim_kernels.h"

namespace dqw {
namespace optim {
namespace {

void loop(float* p, const float* g, float* m, float* v, int64_t n, const AdamWCoefficients& c) {
  for (int64_t i = 0; i < n; ++i) {
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

AdamWLoop adamw_scalar() { return loop; }

}  // namespace optim
}  // namespace dqw
