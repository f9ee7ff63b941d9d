// Thin C wrappers over the CUDA runtime (linked statically: loading this library needs no
// libcudart.so and no driver; without a driver the calls return cudaErrorInsufficientDriver).
#include <cuda_runtime.h>
#include <cstring>
#include "dqw/cuda.h"

extern "C" {
DQW_API int32_t dqw_cuda_built_version(void) { return CUDART_VERSION; }
DQW_API int32_t dqw_cuda_device_count(int32_t* count) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-less error so later calls start clean
    n = 0;
  }
  if (count) *count = n;
  return (int32_t)e;
}
DQW_API int32_t dqw_cuda_driver_version(int32_t* v) {
  int x = 0;
  cudaError_t e = cudaDriverGetVersion(&x);
  if (v) *v = x;
  return (int32_t)e;
}
DQW_API int32_t dqw_cuda_runtime_version(int32_t* v) {
  int x = 0;
  cudaError_t e = cudaRuntimeGetVersion(&x);
  if (v) *v = x;
  return (int32_t)e;
}
DQW_API const char* dqw_cuda_error_name(int32_t err) { return cudaGetErrorName((cudaError_t)err); }
DQW_API const char* dqw_cuda_error_string(int32_t err) { return cudaGetErrorString((cudaError_t)err); }
DQW_API int32_t dqw_cuda_device_info(int32_t device, char* name, int32_t len, int32_t* major, int32_t* minor,
                                     int64_t* total_mem, int32_t* sm_count) {
  cudaDeviceProp p;
  cudaError_t e = cudaGetDeviceProperties(&p, device);
  if (e != cudaSuccess) return (int32_t)e;
  if (name && len > 0) {
    std::strncpy(name, p.name, (size_t)len - 1);
    name[len - 1] = 0;
  }
  if (major) *major = p.major;
  if (minor) *minor = p.minor;
  if (total_mem) *total_mem = (int64_t)p.totalGlobalMem;
  if (sm_count) *sm_count = p.multiProcessorCount;
  return 0;
}
}
