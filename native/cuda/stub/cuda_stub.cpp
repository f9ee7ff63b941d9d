// Built instead of the CUDA sources when no nvcc exists: the same C ABI, every call answers
// DQW_CUDA_NOT_BUILT so Java reports "CUDA not built" and falls back to the CPU.
#include "dqw/cuda.h"
#include "dqw/cuda_kernels.h"
#include "dqw/cuda_model_ops.h"

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
// ---- runtime wrappers: out-parameters are cleared so callers never read garbage ----
DQW_API int32_t dqw_cuda_set_device(int32_t) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_get_device(int32_t* d) {
  if (d) *d = 0;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_synchronize(void) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_get_last_error(void) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_mem_get_info(int64_t* f, int64_t* t) {
  if (f) *f = 0;
  if (t) *t = 0;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_malloc(void** p, int64_t) {
  if (p) *p = nullptr;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_free(void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_malloc_host(void** p, int64_t) {
  if (p) *p = nullptr;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_free_host(void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_memcpy_h2d(void*, const void*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_memcpy_d2h(void*, const void*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_memcpy_d2d(void*, const void*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_memset(void*, int32_t, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_stream_create(void** s) {
  if (s) *s = nullptr;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_stream_synchronize(void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_stream_destroy(void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_event_create(void** e) {
  if (e) *e = nullptr;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_event_record(void*, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_event_synchronize(void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_event_elapsed_ms(float* ms, void*, void*) {
  if (ms) *ms = 0.0f;
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_event_destroy(void*) { return DQW_CUDA_NOT_BUILT; }

// ---- kernels (dqw/cuda_kernels.h) ----
DQW_API int32_t dqw_cuda_convert(const void*, int32_t, void*, int32_t, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_quantize_rows_s8(const float*, int64_t, int32_t, int32_t, int8_t*, int64_t, float*, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_gemm_s8_s32(const int8_t*, int64_t, const int8_t*, int64_t, int32_t*, int64_t, int32_t,
                                     int32_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_gemm_s8_f32(const int8_t*, int64_t, const float*, const int8_t*, int64_t, const float*,
                                     const float*, float*, int64_t, int32_t, int32_t, int32_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_gemm_half(int32_t, const void*, int64_t, const void*, int64_t, const float*, void*, int64_t,
                                   int32_t, int32_t, int32_t, int32_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_attention_forward(int32_t, const void*, const void*, const void*, void*, float*, int64_t,
                                           int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_attention_forward_generic(int32_t, const void*, const void*, const void*, void*, float*,
                                                   int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                                                   void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_attention_backward(int32_t, const void*, const void*, const void*, const void*, const float*,
                                            const void*, float*, float*, float*, float*, int64_t, int64_t, int64_t,
                                            int64_t, int64_t, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_attention_naive(int32_t, const void*, const void*, const void*, void*, float*, float*, int64_t,
                                         int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_fake_quant_forward(const float*, float*, const float*, const float*, int64_t, int64_t,
                                            int32_t, int32_t, int32_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_fake_quant_backward(const float*, const float*, const float*, const float*, float*, float*,
                                             float*, float*, int64_t, int64_t, int32_t, int32_t, int32_t, int32_t,
                                             float, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_fake_quant_init_scales(const float*, float*, float*, int64_t, int64_t, int32_t, int32_t,
                                                int32_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_layernorm_forward(const float*, const float*, const float*, float*, float*, float*, int64_t,
                                           int64_t, float, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_layernorm_backward(const float*, const float*, const float*, const float*, const float*,
                                            float*, float*, float*, int64_t, int64_t, int32_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_gelu_forward(const float*, float*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_gelu_backward(const float*, const float*, float*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_softmax_forward(const float*, float*, int64_t, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
DQW_API int32_t dqw_cuda_softmax_backward(const float*, const float*, float*, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_embedding_forward(const float*, const int32_t*, float*, int64_t, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_embedding_backward(const float*, const int32_t*, float*, int64_t, int64_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_cross_entropy(const float*, const int32_t*, float*, float*, int64_t, int64_t, int32_t, float,
                                       float, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_kl_divergence(const float*, const float*, const int32_t*, float*, float*, int64_t, int64_t,
                                       float, float, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_adamw_step(float*, const float*, float*, float*, int64_t, float, float, float, float, float,
                                    float, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
// ---- model ops (dqw/cuda_model_ops.h) ----
DQW_API int32_t dqw_cuda_im2col_1d(const float*, int64_t, int64_t, int64_t, int64_t, int32_t, int32_t, int32_t, void*,
                                   int32_t, int64_t, void*) {
  return DQW_CUDA_NOT_BUILT;
}
DQW_API int32_t dqw_cuda_add_inplace_f32(float*, const float*, int64_t, void*) { return DQW_CUDA_NOT_BUILT; }
}
