/* Optimizer updates over FP32 parameters (training).
 *
 * AdamW (Loshchilov and Hutter; PyTorch's torch.optim.AdamW), one update of n independent elements:
 *   p[n], g[n], m[n], v[n]: parameter, gradient, first and second moment (m, v updated in place).
 * Every coefficient comes precomputed from the caller, in double, so the kernel derives nothing:
 *   decay      = 1 - lr * weight_decay          (1 for parameters without weight decay)
 *   step_size  = lr / (1 - beta1^t)
 *   sqrt_c2    = sqrt(1 - beta2^t)
 *   beta1, one_minus_beta1 = 1 - beta1, beta2, one_minus_beta2 = 1 - beta2, eps
 * Per element, in double with these exact operations and order (IEEE, no contraction), each result
 * rounded once to float where stored:
 *   mi = beta1 * m + one_minus_beta1 * g;            m = (float) mi
 *   vi = beta2 * v + (one_minus_beta2 * g) * g;      v = (float) vi
 *   p  = (float) (p * decay - (step_size * m) / (sqrt(v) / sqrt_c2 + eps))   (m, v: the stored floats)
 * so the scalar, AVX2 and AVX-512 paths and any thread count give identical bits (and the same bits
 * as the same formula in Java doubles). n >= 0; the arrays must not overlap.
 */
#ifndef DQW_OPTIM_H
#define DQW_OPTIM_H
#include <stdint.h>

#include "dqw/api.h"

DQW_EXTERN_C_BEGIN

DQW_API void dqw_adamw_step_f32(float* p, const float* g, float* m, float* v, int64_t n, double decay, double step_size,
                                double sqrt_c2, double beta1, double one_minus_beta1, double beta2,
                                double one_minus_beta2, double eps);

DQW_EXTERN_C_END
#endif
