// Data-movement entry points (dqw/nn.h): im2col / col2im for the conv1d stem, blocked transpose,
// embedding lookup / scatter-add, positional embedding add.
#include <cstring>

#include "dqw/nn.h"
#include "parallel.h"

extern "C" {

DQW_API void dqw_nn_im2col1d_f32(const float* x, float* cols, int64_t T, int64_t Cin, int64_t kernel,
                                 int64_t stride, int64_t pad) {
  const int64_t Tout = (T + 2 * pad - kernel) / stride + 1, width = Cin * kernel;
  if (Tout <= 0) return;
  dqw::parallel_for(Tout, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      float* row = cols + t * width;
      for (int64_t kk = 0; kk < kernel; ++kk) {
        const int64_t s = t * stride + kk - pad;
        if (s < 0 || s >= T) {
          for (int64_t ci = 0; ci < Cin; ++ci) row[ci * kernel + kk] = 0.0f;
        } else {
          const float* xs = x + s * Cin;
          for (int64_t ci = 0; ci < Cin; ++ci) row[ci * kernel + kk] = xs[ci];
        }
      }
    }
  });
}

// Gather form of the adjoint: dx[s][ci] collects dcols[t][ci*kernel + kk] over t*stride + kk - pad == s,
// kk ascending; threads own ranges of s.
DQW_API void dqw_nn_col2im1d_f32(const float* dcols, float* dx, int64_t T, int64_t Cin, int64_t kernel,
                                 int64_t stride, int64_t pad, int32_t accumulate) {
  const int64_t Tout = (T + 2 * pad - kernel) / stride + 1, width = Cin * kernel;
  dqw::parallel_for(T, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      float* d = dx + s * Cin;
      if (!accumulate)
        for (int64_t ci = 0; ci < Cin; ++ci) d[ci] = 0.0f;
      for (int64_t kk = 0; kk < kernel; ++kk) {
        const int64_t num = s + pad - kk;
        if (num < 0 || num % stride != 0) continue;
        const int64_t t = num / stride;
        if (t >= Tout) continue;
        const float* row = dcols + t * width + kk;
        for (int64_t ci = 0; ci < Cin; ++ci) d[ci] += row[ci * kernel];
      }
    }
  });
}

DQW_API void dqw_nn_transpose2d_f32(const float* x, float* y, int64_t R, int64_t C) {
  constexpr int64_t kBlock = 32;
  if (R <= 0 || C <= 0) return;
  dqw::parallel_for((C + kBlock - 1) / kBlock, [&](int64_t b0, int64_t b1) {
    for (int64_t c0 = b0 * kBlock; c0 < C && c0 < b1 * kBlock; c0 += kBlock) {
      const int64_t c1 = c0 + kBlock < C ? c0 + kBlock : C;
      for (int64_t r0 = 0; r0 < R; r0 += kBlock) {
        const int64_t r1 = r0 + kBlock < R ? r0 + kBlock : R;
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t r = r0; r < r1; ++r) y[c * R + r] = x[r * C + c];
      }
    }
  });
}

DQW_API void dqw_nn_embedding_lookup_f32(const float* table, const int32_t* ids, float* out, int64_t V, int64_t D,
                                         int64_t N) {
  if (D <= 0) return;
  dqw::parallel_for_grain(N, D >= 4096 ? 1 : 4096 / D, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) std::memcpy(out + n * D, table + (int64_t)ids[n] * D, (size_t)D * sizeof(float));
  });
}

DQW_API void dqw_nn_embedding_backward_f32(const float* dout, const int32_t* ids, float* dtable, int64_t V,
                                           int64_t D, int64_t N) {
  dqw::parallel_for_grain(D, 64, [&](int64_t d0, int64_t d1) {
    for (int64_t n = 0; n < N; ++n) {
      float* dst = dtable + (int64_t)ids[n] * D;
      const float* src = dout + n * D;
      for (int64_t d = d0; d < d1; ++d) dst[d] += src[d];
    }
  });
}

DQW_API void dqw_nn_add_positional_f32(float* x, const float* pos, int64_t B, int64_t T, int64_t D,
                                       int64_t offset) {
  if (D <= 0 || T <= 0) return;
  dqw::parallel_for_grain(B * T, D >= 8192 ? 1 : 8192 / D, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* xr = x + r * D;
      const float* p = pos + (offset + r % T) * D;
      for (int64_t d = 0; d < D; ++d) xr[d] += p[d];
    }
  });
}

}  // extern "C"
