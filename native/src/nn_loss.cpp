// Cross-entropy and distillation KL entry points (dqw/nn.h): one row per task, rows are
// independent (V up to 51866, so one row is already a good slice of work).
#include "dqw/nn.h"
#include "nn_kernels.h"
#include "parallel.h"

using dqw::nn::kernels;

extern "C" {

DQW_API void dqw_nn_cross_entropy_f32(const float* logits, const int32_t* targets, float* losses, float* dlogits,
                                      int64_t N, int64_t V, int32_t ignore_index, float label_smoothing,
                                      float scale) {
  if (V <= 0) return;
  const auto& k = kernels();
  int64_t grain = V >= 8192 ? 1 : 8192 / V;
  dqw::parallel_for_grain(N, grain, [&](int64_t r0, int64_t r1) {
    k.cross_entropy_rows(logits, targets, losses, dlogits, V, ignore_index, label_smoothing, scale, r0, r1);
  });
}

DQW_API void dqw_nn_kl_divergence_f32(const float* student, const float* teacher, const int32_t* mask,
                                      float* losses, float* dstudent, int64_t N, int64_t V, float temperature,
                                      float scale) {
  if (V <= 0) return;
  const auto& k = kernels();
  int64_t grain = V >= 8192 ? 1 : 8192 / V;
  dqw::parallel_for_grain(N, grain, [&](int64_t r0, int64_t r1) {
    k.kl_rows(student, teacher, mask, losses, dstudent, V, temperature, scale, r0, r1);
  });
}

DQW_API double dqw_nn_log_sum_exp_f32(const float* x, int64_t from, int64_t to) {
  if (x == nullptr || from < 0 || to <= from) return __builtin_nan("");
  return kernels().log_sum_exp_row(x + from, to - from);
}

DQW_API void dqw_nn_argmax_log_softmax_rows_f32(const float* x, int32_t* idx, double* logp, int64_t N, int64_t V) {
  if (V <= 0) return;
  const auto& k = kernels();
  int64_t grain = V >= 8192 ? 1 : 8192 / V;
  dqw::parallel_for_grain(N, grain, [&](int64_t r0, int64_t r1) { k.argmax_log_softmax_rows(x, idx, logp, V, r0, r1); });
}

}  // extern "C"
