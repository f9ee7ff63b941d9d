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
/* Freed blocks of 4 MiB and more are kept for reuse (no page faults when the same size is allocated again) up to a
 * limit: default 1/8 of physical memory, at most 2 GiB; environment DQW_ALLOC_CACHE_MB overrides it (0: no reuse). */
DQW_API int64_t dqw_alloc_cache_bytes(void);
DQW_API int64_t dqw_alloc_cache_limit(void);
/* Sets the limit (<= 0: no reuse); cached blocks are released when they exceed it. */
DQW_API void dqw_alloc_cache_set_limit(int64_t bytes);
/* Returns every cached block to the C library. */
DQW_API void dqw_alloc_cache_release(void);
/* Allocations of cacheable sizes served from the cache (hits) and from the C library (misses), since start. */
DQW_API void dqw_alloc_cache_counts(int64_t* hits, int64_t* misses);
DQW_API void dqw_copy(void* dst, const void* src, int64_t bytes);
DQW_API void dqw_fill_f32(float* dst, float value, int64_t n);
DQW_EXTERN_C_END
#endif
