// Element-wise and residual entry points (dqw/nn.h). Plain loops: the compiler vectorises them for
// the baseline ISA, and they are memory-bound, so no per-ISA variants. Without FMA contraction
// (baseline x86-64) vector and scalar iterations round identically.
#include <vector>

#include "dqw/nn.h"
#include "parallel.h"

namespace {
constexpr int64_t kGrain = 16384;
}

extern "C" {

DQW_API void dqw_nn_add_into_f32(float* y, const float* x, int64_t n) {
  dqw::parallel_for_grain(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) y[i] += x[i];
  });
}

DQW_API void dqw_nn_add_f32(const float* a, const float* b, float* y, int64_t n) {
  dqw::parallel_for_grain(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) y[i] = a[i] + b[i];
  });
}

DQW_API void dqw_nn_scale_into_f32(float* y, float alpha, int64_t n) {
  dqw::parallel_for_grain(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) y[i] *= alpha;
  });
}

DQW_API void dqw_nn_bias_add_f32(float* y, const float* bias, int64_t M, int64_t N) {
  if (N <= 0) return;
  dqw::parallel_for_grain(M, N >= kGrain ? 1 : kGrain / N, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* yr = y + r * N;
      for (int64_t c = 0; c < N; ++c) yr[c] += bias[c];
    }
  });
}

// Threads own column ranges; each column sums its rows in ascending order.
DQW_API void dqw_nn_bias_grad_f32(const float* dy, float* dbias, int64_t M, int64_t N) {
  dqw::parallel_for_grain(N, 256, [&](int64_t c0, int64_t c1) {
    std::vector<float> sum((size_t)(c1 - c0), 0.0f);
    float* s = sum.data();
    for (int64_t m = 0; m < M; ++m) {
      const float* row = dy + m * N + c0;
      for (int64_t c = 0; c < c1 - c0; ++c) s[c] += row[c];
    }
    for (int64_t c = c0; c < c1; ++c) dbias[c] += s[c - c0];
  });
}

}  // extern "C"
