// Fake quantization, scalar path (baseline x86-64): the reference formulation the AVX2 / AVX-512
// files mirror operation by operation (see fake_quant_kernels.h).
#include <cmath>

#include "fake_quant_kernels.h"

namespace dqw {
namespace fq {
namespace {

// Round half to even for any float: below 2^23 adding and subtracting 2^23 rounds the magnitude
// (round-to-nearest-even mode, no contraction), at or above 2^23 every float is an integer already.
float rint_rne(float v) {
  const float a = std::fabs(v);
  if (!(a < 0x1p23f)) return v;
  return std::copysign((a + 0x1p23f) - 0x1p23f, v);
}

float max_ps(float a, float b) { return a > b ? a : b; }
float min_ps(float a, float b) { return a < b ? a : b; }

void minmax_scalar(const float* x, int64_t n, float* mn, float* mx) {
  float lo = x[0], hi = x[0];
  for (int64_t i = 1; i < n; ++i) {
    lo = min_ps(x[i], lo);
    hi = max_ps(x[i], hi);
  }
  *mn = lo;
  *mx = hi;
}

void forward_scalar(const float* w, int64_t n, const Grid& g, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    float q = rint_rne(w[i] * g.inv) + g.zero;
    q = min_ps(max_ps(q, g.lo), g.hi);
    out[i] = (q - g.zero) * g.scale;
  }
}

void backward_ste_scalar(const float* w, const float* dq, int64_t n, const Grid& g, bool accumulate, float* dw) {
  for (int64_t i = 0; i < n; ++i) {
    const float q = rint_rne(w[i] * g.inv) + g.zero;
    const float d = (q >= g.lo && q <= g.hi) ? dq[i] : 0.0f;
    dw[i] = accumulate ? dw[i] + d : d;
  }
}

void backward_lsq_scalar(const float* w, const float* dq, int64_t n, const Grid& g, bool accumulate, float* dw,
                         double* lanes) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = w[i] * g.inv;
    const bool inside = v > g.lo && v < g.hi;
    const float term = inside ? rint_rne(v) - v : (v <= g.lo ? g.lo : g.hi);
    const float d = inside ? dq[i] : 0.0f;
    dw[i] = accumulate ? dw[i] + d : d;
    lanes[i % kLsqLanes] += (double)dq[i] * (double)term;
  }
}

}  // namespace

const Kernels& kernels_scalar() {
  static const Kernels k{minmax_scalar, forward_scalar, backward_ste_scalar, backward_lsq_scalar};
  return k;
}

}  // namespace fq
}  // namespace dqw
