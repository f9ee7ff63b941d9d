// Thin C wrappers over the CUDA runtime (linked statically: loading this library needs no
// libcudart.so and no driver; without a driver the calls return cudaErrorInsufficientDriver).
#include <cuda_runtime.h>
#include <cstring>
#include "dqw/cuda.h"

// A failed runtime call also sets the thread's "last error", which a later kernel launch would then
// report as its own (launch_status() reads cudaGetLastError); every wrapper returns its error and clears it.
static int32_t ret(cudaError_t e) {
  if (e != cudaSuccess) cudaGetLastError();
  return (int32_t)e;
}

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
  return ret(e);
}
DQW_API int32_t dqw_cuda_driver_version(int32_t* v) {
  int x = 0;
  cudaError_t e = cudaDriverGetVersion(&x);
  if (v) *v = x;
  return ret(e);
}
DQW_API int32_t dqw_cuda_runtime_version(int32_t* v) {
  int x = 0;
  cudaError_t e = cudaRuntimeGetVersion(&x);
  if (v) *v = x;
  return ret(e);
}
DQW_API const char* dqw_cuda_error_name(int32_t err) { return cudaGetErrorName((cudaError_t)err); }
DQW_API const char* dqw_cuda_error_string(int32_t err) { return cudaGetErrorString((cudaError_t)err); }
DQW_API int32_t dqw_cuda_device_info(int32_t device, char* name, int32_t len, int32_t* major, int32_t* minor,
                                     int64_t* total_mem, int32_t* sm_count) {
  cudaDeviceProp p;
  cudaError_t e = cudaGetDeviceProperties(&p, device);
  if (e != cudaSuccess) return ret(e);
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
DQW_API int32_t dqw_cuda_set_device(int32_t device) { return ret(cudaSetDevice(device)); }
DQW_API int32_t dqw_cuda_get_device(int32_t* device) {
  int d = 0;
  cudaError_t e = cudaGetDevice(&d);
  if (device) *device = d;
  return ret(e);
}
DQW_API int32_t dqw_cuda_synchronize(void) { return ret(cudaDeviceSynchronize()); }
DQW_API int32_t dqw_cuda_get_last_error(void) { return (int32_t)cudaGetLastError(); }
DQW_API int32_t dqw_cuda_mem_get_info(int64_t* free_bytes, int64_t* total_bytes) {
  size_t f = 0, t = 0;
  cudaError_t e = cudaMemGetInfo(&f, &t);
  if (free_bytes) *free_bytes = (int64_t)f;
  if (total_bytes) *total_bytes = (int64_t)t;
  return ret(e);
}

DQW_API int32_t dqw_cuda_malloc(void** ptr, int64_t bytes) {
  if (!ptr) return (int32_t)cudaErrorInvalidValue;
  *ptr = nullptr;
  if (bytes < 0) return (int32_t)cudaErrorInvalidValue;
  if (bytes == 0) return 0;
  return ret(cudaMalloc(ptr, (size_t)bytes));
}
DQW_API int32_t dqw_cuda_free(void* ptr) { return ptr ? ret(cudaFree(ptr)) : 0; }
DQW_API int32_t dqw_cuda_malloc_host(void** ptr, int64_t bytes) {
  if (!ptr) return (int32_t)cudaErrorInvalidValue;
  *ptr = nullptr;
  if (bytes < 0) return (int32_t)cudaErrorInvalidValue;
  if (bytes == 0) return 0;
  return ret(cudaMallocHost(ptr, (size_t)bytes));
}
DQW_API int32_t dqw_cuda_free_host(void* ptr) { return ptr ? ret(cudaFreeHost(ptr)) : 0; }

static int32_t copy_async(void* dst, const void* src, int64_t bytes, cudaMemcpyKind kind, void* stream) {
  if (bytes < 0 || (bytes > 0 && (!dst || !src))) return (int32_t)cudaErrorInvalidValue;
  if (bytes == 0) return 0;
  return ret(cudaMemcpyAsync(dst, src, (size_t)bytes, kind, (cudaStream_t)stream));
}
DQW_API int32_t dqw_cuda_memcpy_h2d(void* dst, const void* src, int64_t bytes, void* stream) {
  return copy_async(dst, src, bytes, cudaMemcpyHostToDevice, stream);
}
DQW_API int32_t dqw_cuda_memcpy_d2h(void* dst, const void* src, int64_t bytes, void* stream) {
  return copy_async(dst, src, bytes, cudaMemcpyDeviceToHost, stream);
}
DQW_API int32_t dqw_cuda_memcpy_d2d(void* dst, const void* src, int64_t bytes, void* stream) {
  return copy_async(dst, src, bytes, cudaMemcpyDeviceToDevice, stream);
}
DQW_API int32_t dqw_cuda_memset(void* dst, int32_t value, int64_t bytes, void* stream) {
  if (bytes < 0 || (bytes > 0 && !dst)) return (int32_t)cudaErrorInvalidValue;
  if (bytes == 0) return 0;
  return ret(cudaMemsetAsync(dst, value, (size_t)bytes, (cudaStream_t)stream));
}

DQW_API int32_t dqw_cuda_stream_create(void** stream) {
  if (!stream) return (int32_t)cudaErrorInvalidValue;
  cudaStream_t s = nullptr;
  cudaError_t e = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
  *stream = (void*)s;
  return ret(e);
}
DQW_API int32_t dqw_cuda_stream_synchronize(void* stream) { return ret(cudaStreamSynchronize((cudaStream_t)stream)); }
DQW_API int32_t dqw_cuda_stream_destroy(void* stream) {
  return stream ? ret(cudaStreamDestroy((cudaStream_t)stream)) : 0;
}

DQW_API int32_t dqw_cuda_event_create(void** event) {
  if (!event) return (int32_t)cudaErrorInvalidValue;
  cudaEvent_t ev = nullptr;
  cudaError_t e = cudaEventCreate(&ev);
  *event = (void*)ev;
  return ret(e);
}
DQW_API int32_t dqw_cuda_event_record(void* event, void* stream) {
  return ret(cudaEventRecord((cudaEvent_t)event, (cudaStream_t)stream));
}
DQW_API int32_t dqw_cuda_event_synchronize(void* event) { return ret(cudaEventSynchronize((cudaEvent_t)event)); }
DQW_API int32_t dqw_cuda_event_elapsed_ms(float* ms, void* start, void* end) {
  float t = 0.0f;
  cudaError_t e = cudaEventElapsedTime(&t, (cudaEvent_t)start, (cudaEvent_t)end);
  if (ms) *ms = t;
  return ret(e);
}
DQW_API int32_t dqw_cuda_event_destroy(void* event) {
  return event ? ret(cudaEventDestroy((cudaEvent_t)event)) : 0;
}
}
