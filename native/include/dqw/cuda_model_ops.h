/* CUDA kernels the Whisper model needs beyond dqw/cuda_kernels.h (libdqw_cuda.so): the im2col of the
 * audio stem's 1-D convolutions and the in-place residual add. Same conventions as cuda_kernels.h: every
 * function launches asynchronously on `stream` (cudaStream_t as void*, NULL = legacy default stream) and
 * returns a cudaError_t as int32 (cudaErrorInvalidValue = 1 for arguments it rejects); all pointers are
 * device pointers; the stub library (built without nvcc) returns DQW_CUDA_NOT_BUILT. The Java side
 * (org.dqwhisper.cuda.CudaModelOps) checks shapes before calling. */
#ifndef DQW_CUDA_MODEL_OPS_H
#define DQW_CUDA_MODEL_OPS_H
#include "dqw/api.h"

DQW_EXTERN_C_BEGIN

/* im2col of a 1-D convolution (PyTorch Conv1d, weight [out, C, kernel] flattened to [out, C*kernel]):
 *   x F32, element (t, c) at x[t * t_stride + c * c_stride] for 0 <= t < T, 0 <= c < C
 *     (time-major [T,C]: t_stride = C, c_stride = 1; channel-major [C,T]: t_stride = 1, c_stride = T);
 *   cols [t_out, C*kernel] of type cols_dtype (DQW_CUDA_F32 / F16 / BF16, rounded to nearest even):
 *     cols[o * C*kernel + c * kernel + j] = x(o * stride + j - pad, c), 0 outside 0..T-1.
 * Requires T, C >= 1, kernel >= 1, stride >= 1, 0 <= pad < kernel, 1 <= t_out <= (T + 2 pad - kernel) / stride + 1. */
DQW_API int32_t dqw_cuda_im2col_1d(const float* x, int64_t t_stride, int64_t c_stride, int64_t T, int64_t C,
                                   int32_t kernel, int32_t stride, int32_t pad, void* cols, int32_t cols_dtype,
                                   int64_t t_out, void* stream);

/* y [n] += x [n] (F32, one rounding per element). x and y must not overlap unless equal. n >= 0. */
DQW_API int32_t dqw_cuda_add_inplace_f32(float* y, const float* x, int64_t n, void* stream);

DQW_EXTERN_C_END
#endif
