// GELU, erf and row-softmax entry points (dqw/nn.h).
#include "dqw/nn.h"
#include "nn_kernels.h"
#include "parallel.h"

using dqw::nn::kernels;

namespace {
constexpr int64_t kElementGrain = 16384;  // elements per task (a multiple of every vector width)
int64_t row_grain(int64_t width) { return width >= 8192 ? 1 : 8192 / (width > 0 ? width : 1); }
}  // namespace

extern "C" {

DQW_API void dqw_nn_gelu_f32(const float* x, float* y, int64_t n) {
  const auto& k = kernels();
  dqw::parallel_for_grain(n, kElementGrain, [&](int64_t i0, int64_t i1) { k.gelu_range(x, y, i0, i1); });
}

DQW_API void dqw_nn_gelu_backward_f32(const float* x, const float* dy, float* dx, int64_t n) {
  const auto& k = kernels();
  dqw::parallel_for_grain(n, kElementGrain,
                          [&](int64_t i0, int64_t i1) { k.gelu_backward_range(x, dy, dx, i0, i1); });
}

DQW_API void dqw_nn_erf_f32(const float* x, float* y, int64_t n) {
  const auto& k = kernels();
  dqw::parallel_for_grain(n, kElementGrain, [&](int64_t i0, int64_t i1) { k.erf_range(x, y, i0, i1); });
}

DQW_API void dqw_nn_softmax_rows_f32(const float* x, float* y, int64_t M, int64_t N) {
  if (N <= 0) return;
  const auto& k = kernels();
  dqw::parallel_for_grain(M, row_grain(N), [&](int64_t r0, int64_t r1) { k.softmax_rows(x, y, N, r0, r1); });
}

DQW_API void dqw_nn_softmax_rows_backward_f32(const float* y, const float* dy, float* dx, int64_t M, int64_t N) {
  if (N <= 0) return;
  const auto& k = kernels();
  dqw::parallel_for_grain(M, row_grain(N),
                          [&](int64_t r0, int64_t r1) { k.softmax_backward_rows(y, dy, dx, N, r0, r1); });
}

}  // extern "C"
