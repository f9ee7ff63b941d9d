// Whisper model helpers on CUDA (dqw/cuda_model_ops.h): the audio stem's im2col and the residual add.
#include "common.cuh"
#include "dqw/cuda_model_ops.h"

using namespace dqw_cuda;

namespace {
constexpr int kThreads = 256;

// One thread per element of cols [t_out, C*kernel]: a pure gather, so every value is exactly x rounded once.
template <typename T>
__global__ void im2col_1d_kernel(const float* __restrict__ x, int64_t t_stride, int64_t c_stride, int64_t T_in,
                                 int64_t C, int32_t kernel, int32_t stride, int32_t pad, T* __restrict__ cols,
                                 int64_t total) {
  const int64_t row = C * kernel;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t o = i / row;
    const int64_t r = i - o * row;
    const int64_t c = r / kernel;
    const int64_t j = r - c * kernel;
    const int64_t t = o * stride + j - pad;
    const float v = (t >= 0 && t < T_in) ? x[t * t_stride + c * c_stride] : 0.0f;
    cols[i] = from_float<T>(v);
  }
}

__global__ void add_inplace_kernel(float* __restrict__ y, const float* __restrict__ x, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    y[i] = y[i] + x[i];
  }
}
}  // namespace

extern "C" {

DQW_API int32_t dqw_cuda_im2col_1d(const float* x, int64_t t_stride, int64_t c_stride, int64_t T, int64_t C,
                                   int32_t kernel, int32_t stride, int32_t pad, void* cols, int32_t cols_dtype,
                                   int64_t t_out, void* stream) {
  if (!x || !cols || !is_float_dtype(cols_dtype) || T < 1 || C < 1 || kernel < 1 || stride < 1 || pad < 0 ||
      pad >= kernel || t_stride < 0 || c_stride < 0 || t_out < 1)
    return kInvalid;
  if (T + 2LL * pad < kernel || t_out > (T + 2LL * pad - kernel) / stride + 1) return kInvalid;
  const int64_t total = t_out * C * kernel;
  const unsigned blocks = blocks_for(total, kThreads, 65535LL * 16);
  cudaStream_t s = as_stream(stream);
  if (cols_dtype == DQW_CUDA_F32) {
    im2col_1d_kernel<float><<<blocks, kThreads, 0, s>>>(x, t_stride, c_stride, T, C, kernel, stride, pad,
                                                        static_cast<float*>(cols), total);
  } else if (cols_dtype == DQW_CUDA_F16) {
    im2col_1d_kernel<__half><<<blocks, kThreads, 0, s>>>(x, t_stride, c_stride, T, C, kernel, stride, pad,
                                                         static_cast<__half*>(cols), total);
  } else {
    im2col_1d_kernel<__nv_bfloat16><<<blocks, kThreads, 0, s>>>(x, t_stride, c_stride, T, C, kernel, stride, pad,
                                                                static_cast<__nv_bfloat16*>(cols), total);
  }
  return launch_status();
}

DQW_API int32_t dqw_cuda_add_inplace_f32(float* y, const float* x, int64_t n, void* stream) {
  if (n < 0 || (n > 0 && (!x || !y))) return kInvalid;
  if (n == 0) return 0;
  add_inplace_kernel<<<blocks_for(n, kThreads, 65535LL * 16), kThreads, 0, as_stream(stream)>>>(y, x, n);
  return launch_status();
}

}  // extern "C"
