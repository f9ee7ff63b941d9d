// The nn range kernels compiled for the avx2 path: the shared algorithm sources over the
// avx2 vector primitives, all with internal linkage (see nn_kernels.h for why).
#include <immintrin.h>

#include <cstdint>

#include "nn_kernels.h"

namespace dqw {
namespace nn {
namespace {
#include "nn_simd_avx2.inc"
#include "nn_vmath.inc"
#include "nn_rowops.inc"
#include "nn_attention_tiles.inc"
}  // namespace

const Kernels& kernels_avx2() {
  static const Kernels table = {layernorm_rows,          layernorm_backward_rows, layernorm_param_grad_cols,
                                gelu_range,              gelu_backward_range,     erf_range,
                                softmax_rows,            softmax_backward_rows,   cross_entropy_rows,
                                kl_rows,                 attention_forward_items, attention_dq_items,
                                attention_dkv_items, argmax_log_softmax_rows, log_sum_exp_row};
  return table;
}

}  // namespace nn
}  // namespace dqw
