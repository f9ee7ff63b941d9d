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
/* ---- device, memory, streams, events (all return cudaError_t as int32; handles are opaque) ---- */
DQW_API int32_t dqw_cuda_set_device(int32_t device);
DQW_API int32_t dqw_cuda_get_device(int32_t* device);
/* Waits for all work on the current device. */
DQW_API int32_t dqw_cuda_synchronize(void);
/* Returns the last error of this thread and resets it to cudaSuccess (cudaGetLastError). */
DQW_API int32_t dqw_cuda_get_last_error(void);
/* Free and total bytes of device memory on the current device. */
DQW_API int32_t dqw_cuda_mem_get_info(int64_t* free_bytes, int64_t* total_bytes);

/* Device memory: *ptr = device address of `bytes` bytes (256-byte aligned), NULL on error.
 * bytes == 0 gives NULL and success. */
DQW_API int32_t dqw_cuda_malloc(void** ptr, int64_t bytes);
DQW_API int32_t dqw_cuda_free(void* ptr);
/* Page-locked host memory (fast, truly asynchronous copies). */
DQW_API int32_t dqw_cuda_malloc_host(void** ptr, int64_t bytes);
DQW_API int32_t dqw_cuda_free_host(void* ptr);

/* Asynchronous copies of `bytes` bytes on `stream` (NULL = legacy default stream). With pageable
 * host memory the H2D / D2H copies return only once the host buffer may be reused. */
DQW_API int32_t dqw_cuda_memcpy_h2d(void* dst_device, const void* src_host, int64_t bytes, void* stream);
DQW_API int32_t dqw_cuda_memcpy_d2h(void* dst_host, const void* src_device, int64_t bytes, void* stream);
DQW_API int32_t dqw_cuda_memcpy_d2d(void* dst_device, const void* src_device, int64_t bytes, void* stream);
/* Sets `bytes` bytes at dst_device to (uint8) value, asynchronously on stream. */
DQW_API int32_t dqw_cuda_memset(void* dst_device, int32_t value, int64_t bytes, void* stream);

/* Streams: created non-blocking with respect to the legacy default stream. */
DQW_API int32_t dqw_cuda_stream_create(void** stream);
DQW_API int32_t dqw_cuda_stream_synchronize(void* stream);
DQW_API int32_t dqw_cuda_stream_destroy(void* stream);

/* Events (with timing). elapsed: milliseconds between two recorded, completed events. */
DQW_API int32_t dqw_cuda_event_create(void** event);
DQW_API int32_t dqw_cuda_event_record(void* event, void* stream);
DQW_API int32_t dqw_cuda_event_synchronize(void* event);
DQW_API int32_t dqw_cuda_event_elapsed_ms(float* ms, void* start, void* end);
DQW_API int32_t dqw_cuda_event_destroy(void* event);
DQW_EXTERN_C_END
#endif
