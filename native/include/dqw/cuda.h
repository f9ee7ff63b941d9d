/* CUDA runtime wrappers (libdqw_cuda.so). Every function returns a cudaError_t value as int32
 * (0 = success), or DQW_CUDA_NOT_BUILT when the library is the stub built without nvcc. */
#ifndef DQW_CUDA_H
#define DQW_CUDA_H
#include "dqw/api.h"

#define DQW_CUDA_NOT_BUILT (-1000)

DQW_EXTERN_C_BEGIN
/* CUDA runtime version the library was compiled with (e.g. 13000), 0 for the stub. */
DQW_API int32_t dqw_cuda_built_version(void);
DQW_API int32_t dqw_cuda_device_count(int32_t* count);
DQW_API int32_t dqw_cuda_driver_version(int32_t* version);
DQW_API int32_t dqw_cuda_runtime_version(int32_t* version);
/* Name / description of a cudaError_t value ("cudaErrorInsufficientDriver", ...). */
DQW_API const char* dqw_cuda_error_name(int32_t err);
DQW_API const char* dqw_cuda_error_string(int32_t err);
/* Device properties: name into buf (len bytes), compute capability, total memory, SM count. */
DQW_API int32_t dqw_cuda_device_info(int32_t device, char* name, int32_t name_len, int32_t* major, int32_t* minor,
                                     int64_t* total_mem, int32_t* sm_count);
DQW_EXTERN_C_END
#endif
