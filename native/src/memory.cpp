#include "dqw/memory.h"
#include <cstdlib>
#include <cstring>

extern "C" {
DQW_API void* dqw_alloc_uninit(int64_t bytes) {
  if (bytes < 0) return nullptr;
  size_t n = ((size_t)bytes + 63) & ~(size_t)63;
  if (n == 0) n = 64;
  void* p = nullptr;
  if (posix_memalign(&p, 64, n) != 0) return nullptr;
  return p;
}
DQW_API void* dqw_alloc(int64_t bytes) {
  void* p = dqw_alloc_uninit(bytes);
  if (p != nullptr) std::memset(p, 0, bytes > 0 ? (((size_t)bytes + 63) & ~(size_t)63) : 64);
  return p;
}
DQW_API void dqw_free(void* p) { std::free(p); }
DQW_API void dqw_copy(void* dst, const void* src, int64_t bytes) {
  if (bytes > 0) std::memmove(dst, src, (size_t)bytes);
}
DQW_API void dqw_fill_f32(float* dst, float value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}
}
