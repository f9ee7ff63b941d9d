// Internal: the per-ISA pieces of the fake-quantization kernels (fake_quant_scalar.cpp,
// fake_quant_avx2.cpp, fake_quant_avx512.cpp), driven by fake_quant.cpp. Declarations and plain
// structs only: no inline code may be shared between ISA files (see cmake/DqwIsa.cmake).
//
// Every path computes, per element and with the operations in this order (float, no contraction):
//   v = w * inv;  r = rint(v) (round half even, exact for any magnitude);  q = r + zero;
//   q = max(q, lo) then min(q, hi) with the SIMD semantics max(a, b) = a > b ? a : b and
//   min(a, b) = a < b ? a : b;  w^ = (q - zero) * scale.
// so all paths give identical bits.
#pragma once
#include <cstdint>

namespace dqw {
namespace fq {

// The quantization grid of one segment.
struct Grid {
  float inv, scale, zero, lo, hi;
};

constexpr int kLsqLanes = 16;  // interleaved partial sums of the LSQ scale gradient

struct Kernels {
  // min and max of x[0, n), n >= 1
  void (*minmax)(const float* x, int64_t n, float* mn, float* mx);
  // out[i] = w^ of w[i]
  void (*forward)(const float* w, int64_t n, const Grid& g, float* out);
  // dw[i] (+)= lo <= rint(v) + zero <= hi ? dq[i] : 0
  void (*backward_ste)(const float* w, const float* dq, int64_t n, const Grid& g, bool accumulate, float* dw);
  // dw[i] (+)= lo < v < hi ? dq[i] : 0; lanes[i % 16] += (double) dq[i] * (double) term(v) with
  // term = inside ? rint(v) - v : (v <= lo ? lo : hi) (zero point ignored: symmetric only)
  void (*backward_lsq)(const float* w, const float* dq, int64_t n, const Grid& g, bool accumulate, float* dw,
                       double* lanes);
};

const Kernels& kernels_scalar();
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();

}  // namespace fq
}  // namespace dqw
