// Fake quantization: C ABI, argument checks, scale computation, ISA dispatch and the row-parallel
// driver. The per-element kernels live in fake_quant_scalar.cpp / _avx2.cpp / _avx512.cpp.
#include "dqw/fake_quant.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

#include "dqw/cpu.h"
#include "fake_quant_kernels.h"
#include "parallel.h"

namespace dqw {
namespace fq {
namespace {

const Kernels& active_kernels() {
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: return kernels_avx512();
    case DQW_ISA_AVX2: return kernels_avx2();
    default: return kernels_scalar();
  }
}

// Where the scales of W[n, k] sit: `per_row` segments per row, segment j = [j*len, min(k, (j+1)*len)).
struct Layout {
  int32_t n, k, gran;
  int32_t len;      // segment length (k for per-tensor / per-channel)
  int32_t per_row;  // segments per row
  int64_t num_scales;
  int64_t index(int64_t row, int32_t j) const {
    return gran == DQW_FQ_PER_TENSOR ? 0 : row * per_row + j;
  }
  int32_t begin(int32_t j) const { return j * len; }
  int32_t end(int32_t j) const { return (int64_t)(j + 1) * len < k ? (j + 1) * len : k; }
};

bool make_layout(int32_t n, int32_t k, int32_t gran, int32_t group, Layout* out) {
  if (n < 1 || k < 1) return false;
  Layout l{n, k, gran, k, 1, 0};
  switch (gran) {
    case DQW_FQ_PER_TENSOR: l.num_scales = 1; break;
    case DQW_FQ_PER_CHANNEL: l.num_scales = n; break;
    case DQW_FQ_PER_GROUP:
      if (group < 1) return false;
      l.len = group < k ? group : k;
      l.per_row = (int32_t)(((int64_t)k + l.len - 1) / l.len);
      l.num_scales = (int64_t)n * l.per_row;
      break;
    default: return false;
  }
  *out = l;
  return true;
}

struct Scheme {
  int32_t kind;
  float qmax;    // Q = 2^(b-1) - 1 (symmetric / signed max) or L = 2^b - 1 (asymmetric)
  float lo, hi;  // clamp bounds
};

bool make_scheme(int32_t bits, int32_t scheme, Scheme* out) {
  if (bits < 2 || bits > 8) return false;
  const float q = (float)((1 << (bits - 1)) - 1), l = (float)((1 << bits) - 1);
  switch (scheme) {
    case DQW_FQ_SYMMETRIC: *out = Scheme{scheme, q, -q, q}; return true;
    case DQW_FQ_ASYMMETRIC: *out = Scheme{scheme, l, 0.0f, l}; return true;
    case DQW_FQ_SIGNED_MAX: *out = Scheme{scheme, q, -INFINITY, INFINITY}; return true;
    default: return false;
  }
}

// scale / inv / zero of a segment with minimum mn and maximum mx (see fake_quant.h)
void grid_from_range(const Scheme& s, float mn, float mx, float* scale, float* inv, float* zero) {
  float sc = 0.0f, iv = 0.0f, z = 0.0f;
  if (s.kind == DQW_FQ_SYMMETRIC) {
    const float amax = -mn > mx ? -mn : mx;
    iv = s.qmax / amax;
    sc = amax / s.qmax;
  } else if (s.kind == DQW_FQ_ASYMMETRIC) {
    const float lo = mn < 0.0f ? mn : 0.0f, hi = mx > 0.0f ? mx : 0.0f;
    const float range = hi - lo;
    iv = s.qmax / range;
    sc = range / s.qmax;
    if (std::fabs(iv) <= FLT_MAX) {
      z = std::nearbyint(-lo * iv);  // default rounding mode: half to even
      z = z > 0.0f ? (z < s.qmax ? z : s.qmax) : 0.0f;  // clamp to [0, L]; -0 becomes +0
    }
  } else {  // signed max
    iv = s.qmax / mx;
    sc = mx / s.qmax;
  }
  if (!(std::fabs(iv) <= FLT_MAX)) sc = iv = z = 0.0f;
  *scale = sc;
  *inv = iv;
  *zero = z;
}

Grid grid_at(const Scheme& s, const float* scale, const float* inv, const float* zero, int64_t i) {
  return Grid{inv[i], scale ? scale[i] : 0.0f, zero ? zero[i] : 0.0f, s.lo, s.hi};
}

bool strides_ok(int64_t ld, int32_t k) { return ld >= k; }

}  // namespace
}  // namespace fq
}  // namespace dqw

using namespace dqw::fq;

extern "C" {

DQW_API int64_t dqw_fq_num_scales(int32_t n, int32_t k, int32_t granularity, int32_t group) {
  Layout l;
  return make_layout(n, k, granularity, group, &l) ? l.num_scales : -1;
}

DQW_API int32_t dqw_fq_forward(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity,
                               int32_t group, int32_t bits, int32_t scheme, int32_t scales_from_data, float* scale,
                               float* inv, float* zero, float* wq, int64_t ldq) {
  Layout l;
  Scheme s;
  if (!make_layout(n, k, granularity, group, &l) || !make_scheme(bits, scheme, &s)) return DQW_FQ_BAD_ARGS;
  if (!w || !wq || !scale || !inv || !strides_ok(ldw, k) || !strides_ok(ldq, k)) return DQW_FQ_BAD_ARGS;
  const bool asym = scheme == DQW_FQ_ASYMMETRIC;
  if (asym && !zero) return DQW_FQ_BAD_ARGS;
  const Kernels& kern = active_kernels();
  if (scales_from_data && granularity == DQW_FQ_PER_TENSOR) {
    std::vector<float> mins(n), maxs(n);
    dqw::parallel_for(n, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) kern.minmax(w + r * ldw, k, &mins[r], &maxs[r]);
    });
    float mn = mins[0], mx = maxs[0];
    for (int32_t r = 1; r < n; ++r) {
      mn = mins[r] < mn ? mins[r] : mn;
      mx = maxs[r] > mx ? maxs[r] : mx;
    }
    float z;
    grid_from_range(s, mn, mx, &scale[0], &inv[0], &z);
    if (zero) zero[0] = z;
  } else if (!scales_from_data) {
    for (int64_t i = 0; i < l.num_scales; ++i) {
      const float iv = 1.0f / scale[i];
      inv[i] = std::fabs(iv) <= FLT_MAX ? iv : 0.0f;
    }
  }
  const bool per_segment_scales = scales_from_data && granularity != DQW_FQ_PER_TENSOR;
  dqw::parallel_for(n, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* wr = w + r * ldw;
      float* qr = wq + r * ldq;
      for (int32_t j = 0; j < l.per_row; ++j) {
        const int32_t b = l.begin(j), e = l.end(j);
        const int64_t i = l.index(r, j);
        if (per_segment_scales) {
          float mn, mx, z;
          kern.minmax(wr + b, e - b, &mn, &mx);
          grid_from_range(s, mn, mx, &scale[i], &inv[i], &z);
          if (zero) zero[i] = z;
        }
        kern.forward(wr + b, e - b, grid_at(s, scale, inv, asym ? zero : nullptr, i), qr + b);
      }
    }
  });
  return DQW_FQ_OK;
}

DQW_API int32_t dqw_fq_backward(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity,
                                int32_t group, int32_t bits, int32_t scheme, const float* scale, const float* inv,
                                const float* zero, const float* dwq, int64_t lddq, float* dw, int64_t lddw,
                                int32_t accumulate, float* dscale) {
  Layout l;
  Scheme s;
  if (!make_layout(n, k, granularity, group, &l) || !make_scheme(bits, scheme, &s)) return DQW_FQ_BAD_ARGS;
  if (!w || !inv || !dwq || !dw || !strides_ok(ldw, k) || !strides_ok(lddq, k) || !strides_ok(lddw, k))
    return DQW_FQ_BAD_ARGS;
  const bool asym = scheme == DQW_FQ_ASYMMETRIC;
  if (asym && !zero) return DQW_FQ_BAD_ARGS;
  if (dscale && scheme != DQW_FQ_SYMMETRIC) return DQW_FQ_BAD_ARGS;
  const Kernels& kern = active_kernels();
  const bool acc = accumulate != 0;
  if (!dscale) {
    dqw::parallel_for(n, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        for (int32_t j = 0; j < l.per_row; ++j) {
          const int32_t b = l.begin(j), e = l.end(j);
          kern.backward_ste(w + r * ldw + b, dwq + r * lddq + b, e - b,
                            grid_at(s, nullptr, inv, asym ? zero : nullptr, l.index(r, j)), acc, dw + r * lddw + b);
        }
      }
    });
    return DQW_FQ_OK;
  }
  // LSQ: the segment sums in double, each from 16 interleaved partials added in order
  const bool per_tensor = granularity == DQW_FQ_PER_TENSOR;
  std::vector<double> row_sums(per_tensor ? n : 0);
  dqw::parallel_for(n, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      double row_total = 0.0;
      for (int32_t j = 0; j < l.per_row; ++j) {
        const int32_t b = l.begin(j), e = l.end(j);
        const int64_t i = l.index(r, j);
        double lanes[kLsqLanes] = {0};
        kern.backward_lsq(w + r * ldw + b, dwq + r * lddq + b, e - b, grid_at(s, nullptr, inv, nullptr, i), acc,
                          dw + r * lddw + b, lanes);
        double sum = 0.0;
        for (int t = 0; t < kLsqLanes; ++t) sum += lanes[t];
        if (per_tensor) {
          row_total = sum;
        } else {
          const double g = 1.0 / std::sqrt((double)(e - b) * s.qmax);
          dscale[i] = (float)((acc ? (double)dscale[i] : 0.0) + g * sum);
        }
      }
      if (per_tensor) row_sums[r] = row_total;
    }
  });
  if (per_tensor) {
    double sum = 0.0;
    for (int32_t r = 0; r < n; ++r) sum += row_sums[r];
    const double g = 1.0 / std::sqrt((double)n * k * s.qmax);
    dscale[0] = (float)((acc ? (double)dscale[0] : 0.0) + g * sum);
  }
  return DQW_FQ_OK;
}

DQW_API int32_t dqw_fq_codes(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity, int32_t group,
                             int32_t bits, int32_t scheme, const float* inv, const float* zero, void* codes,
                             int64_t ldc) {
  Layout l;
  Scheme s;
  if (!make_layout(n, k, granularity, group, &l) || !make_scheme(bits, scheme, &s)) return DQW_FQ_BAD_ARGS;
  if (scheme == DQW_FQ_SIGNED_MAX || !w || !inv || !codes || !strides_ok(ldw, k) || !strides_ok(ldc, k))
    return DQW_FQ_BAD_ARGS;
  const bool asym = scheme == DQW_FQ_ASYMMETRIC;
  if (asym && !zero) return DQW_FQ_BAD_ARGS;
  // export time, not hot: scalar, the formula of fake_quant_kernels.h (nearbyint = rint half even)
  uint8_t* out = static_cast<uint8_t*>(codes);
  dqw::parallel_for(n, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      for (int32_t j = 0; j < l.per_row; ++j) {
        const Grid g = grid_at(s, nullptr, inv, asym ? zero : nullptr, l.index(r, j));
        for (int32_t c = l.begin(j); c < l.end(j); ++c) {
          float q = std::nearbyint(w[r * ldw + c] * g.inv) + g.zero;
          q = q > g.lo ? q : g.lo;
          q = q < g.hi ? q : g.hi;
          out[r * ldc + c] = asym ? (uint8_t)(int32_t)q : (uint8_t)(int8_t)(int32_t)q;
        }
      }
    }
  });
  return DQW_FQ_OK;
}

}  // extern "C"
