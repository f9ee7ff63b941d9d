// INT4 GEMM, scalar path (baseline x86-64): plain loops over the kernel layout; the reference
// formulation of the per-group epilogue that the AVX2 / AVX-512 files mirror operation by operation.
#include <cmath>

#include "gemm_int4_kernels.h"
#include "gemm_int8_kernels.h"

namespace dqw {
namespace int4 {
namespace {

void tile_scalar(const Pack& pk, const Tile& t, const Epilogue& e) {
  for (int32_t r = 0; r < t.m; ++r) {
    const int8_t* a = t.a + r * t.lda;
    const int64_t row = t.row + r;
    for (int32_t n0 = t.n0; n0 < t.n1; n0 += kPanelCols) {
      const int64_t p = n0 / kPanelCols;
      const uint8_t* b = pk.panel(p);
      const float* ps = pk.panel_scales(p);
      const int cols = t.n1 - n0 < kPanelCols ? t.n1 - n0 : kPanelCols;
      float f[kPanelCols] = {0};
      for (int32_t g = 0; g < pk.groups; ++g) {
        const int32_t q0 = g * pk.group_quads;
        const int32_t q1 = q0 + pk.group_quads < pk.quads ? q0 + pk.group_quads : pk.quads;
        int32_t acc[kPanelCols] = {0};
        for (int32_t q = q0; q < q1; ++q) {
          const uint8_t* bq = b + (int64_t)q * kQuadBytes;
          for (int j = 0; j < 4; ++j) {
            const int32_t kk = 4 * q + j;
            if (kk >= pk.k) break;
            const int32_t av = a[kk];
            for (int c = 0; c < 16; ++c) {
              const uint8_t byte = bq[4 * c + j];
              acc[c] += av * ((int32_t)(byte & 15) - 8);
              acc[c + 16] += av * ((int32_t)(byte >> 4) - 8);
            }
          }
        }
        if (e.cg) {
          for (int c = 0; c < cols; ++c) e.cg[(row * pk.n + n0 + c) * pk.groups + g] = acc[c];
        } else {
          for (int c = 0; c < kPanelCols; ++c) f[c] = std::fmaf((float)acc[c], ps[g * kPanelCols + c], f[c]);
        }
      }
      if (e.cg) continue;
      const float sa = e.a_scale[row];
      float* y = e.y + row * e.ldy + n0;
      for (int c = 0; c < cols; ++c) {
        y[c] = e.bias ? std::fmaf(f[c], sa, e.bias[n0 + c]) : f[c] * sa;
      }
      if (e.gelu) int8::kernels_scalar().gelu(y, y, cols);
    }
  }
}

}  // namespace

const Kernels& kernels_scalar() {
  static const Kernels k{1, false, tile_scalar, int8::kernels_scalar().gelu};
  return k;
}

}  // namespace int4
}  // namespace dqw
