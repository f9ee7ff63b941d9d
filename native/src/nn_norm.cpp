// LayerNorm forward / backward entry points (dqw/nn.h): thread split over rows, and over columns
// for the parameter gradients, so no sum is ever split across threads.
#include "dqw/nn.h"
#include "nn_kernels.h"
#include "parallel.h"

using dqw::nn::kernels;

namespace {
// Rows per task: about 8K elements, so small calls stay on one thread.
int64_t row_grain(int64_t width) { return width >= 8192 ? 1 : 8192 / (width > 0 ? width : 1); }
}  // namespace

extern "C" {

DQW_API void dqw_nn_layernorm_f32(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                  float* rstd, int64_t M, int64_t D, float eps) {
  if (M <= 0 || D <= 0) return;
  const auto& k = kernels();
  dqw::parallel_for_grain(M, row_grain(D), [&](int64_t r0, int64_t r1) {
    k.layernorm_rows(x, gamma, beta, y, mean, rstd, D, eps, r0, r1);
  });
}

DQW_API void dqw_nn_layernorm_backward_f32(const float* dy, const float* x, const float* gamma, const float* mean,
                                           const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t M,
                                           int64_t D, int32_t accumulate_dx) {
  if (M <= 0 || D <= 0) return;
  const auto& k = kernels();
  // Parameter gradients first: they read dy, which dx may overwrite.
  if (dgamma || dbeta) {
    dqw::parallel_for_grain(D, 64, [&](int64_t c0, int64_t c1) {
      k.layernorm_param_grad_cols(dy, x, mean, rstd, dgamma, dbeta, M, D, c0, c1);
    });
  }
  if (dx) {
    dqw::parallel_for_grain(M, row_grain(D), [&](int64_t r0, int64_t r1) {
      k.layernorm_backward_rows(dy, x, gamma, mean, rstd, dx, D, accumulate_dx, r0, r1);
    });
  }
}

}  // extern "C"
