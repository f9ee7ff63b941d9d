/* Aligned off-heap memory for tensors (64-byte aligned; dqw_alloc zero-fills). */
#ifndef DQW_MEMORY_H
#define DQW_MEMORY_H
#include "dqw/api.h"
DQW_EXTERN_C_BEGIN
/* Returns NULL when bytes < 0 or the allocation fails. bytes == 0 gives a valid 64-byte block. */
DQW_API void* dqw_alloc(int64_t bytes);
/* dqw_alloc without the zero fill: the contents are unspecified (for buffers written before they are read;
 * pages never written are never touched, e.g. the unused tail of a KV cache). */
DQW_API void* dqw_alloc_uninit(int64_t bytes);
DQW_API void dqw_free(void* p);
DQW_API void dqw_copy(void* dst, const void* src, int64_t bytes);
DQW_API void dqw_fill_f32(float* dst, float value, int64_t n);
DQW_EXTERN_C_END
#endif
