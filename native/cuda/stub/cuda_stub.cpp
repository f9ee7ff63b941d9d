// Built instead of the CUDA sources when no nvcc exists: the same C ABI, every call answers
// DQW_CUDA_NOT_BUILT so Java reports "CUDA not built" and falls back to the CPU.
#include "dqw/cuda.h"

extern "C" {
DQW_API int32_t dqw_cuda_built_version(void) { return 0; }
DQW_API int32_t dqw_cuda_device_count(int32_t* count) {
  if (count) *count = 0;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_driver_version(int32_t* v) {
  if (v) *v = 0;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_runtime_version(int32_t* v) {
  if (v) *v = 0;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API const char* dqw_cuda_error_name(int32_t) { return "dqwCudaNotBuilt"; }
DQW_API const char* dqw_cuda_error_string(int32_t) { return "libdqw_cuda was built without a CUDA compiler"; }
DQW_API int32_t dqw_cuda_device_info(int32_t, char* name, int32_t len, int32_t*, int32_t*, int64_t*, int32_t*) {
  if (name && len > 0) name[0] = 0;
  return DQW_CUDA_NOT_BUILT;
}
}
