// Off-heap tensor memory: 64-byte aligned blocks, with large freed blocks recycled.
//
// A block >= kCacheMinBytes is not handed back to the C library when freed: it goes on a free list of its size
// class, and the next allocation of that class takes it. The C library returns such blocks to the kernel (glibc
// mmaps everything above its threshold, at most 32 MiB), so without this every training step and every encoder
// window would map its activations afresh and pay one page fault per 4 KiB page on first touch: 12-13 us each on
// this project's build machine (a paravirtualised VM; less on bare metal, never free). The demo made 4 million faults,
// 98 s of system time in a 7-minute run.
//
// Classes: a size rounds up to a multiple of 1/8 of the largest power of two not above it (at most 12.5 % slack).
// The cache holds at most dqw_alloc_cache_limit() bytes (default: 1/8 of physical memory, at most 2 GiB; the
// environment variable DQW_ALLOC_CACHE_MB overrides it, 0 turns recycling off); a block that would exceed it is
// freed. When an allocation fails, the cache is emptied and the allocation retried once. glibc's mmap and trim
// thresholds are fixed to match (set_malloc_thresholds below).
#include "dqw/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kHeaderBytes = 64;  // keeps the caller's pointer 64-byte aligned
constexpr uint64_t kMagic = 0x4b434f4c42575144ull;  // "DQWBLOCK"
constexpr size_t kCacheMinBytes = size_t(4) << 20;

struct Header {
  uint64_t magic;
  uint64_t block_bytes;  // usable bytes after the header (the size class for cached sizes)
};
static_assert(sizeof(Header) <= kHeaderBytes, "block header");

size_t round64(int64_t bytes) {
  size_t n = ((size_t)bytes + 63) & ~(size_t)63;
  return n == 0 ? 64 : n;
}

size_t size_class(size_t n) {
  if (n < kCacheMinBytes) return n;
  size_t p = size_t(1) << (63 - __builtin_clzll((unsigned long long)n));
  size_t step = p / 8;
  return (n + step - 1) / step * step;
}

size_t default_limit() {
  if (const char* env = std::getenv("DQW_ALLOC_CACHE_MB")) {
    char* end = nullptr;
    long long mb = std::strtoll(env, &end, 10);
    if (end != env && *end == '\0' && mb >= 0) return (size_t)mb << 20;
  }
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  size_t phys = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : (size_t)8 << 30;
  return std::min(phys / 8, (size_t)2 << 30);
}

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // class -> block bases
  size_t bytes = 0;
  size_t limit = default_limit();
  int64_t hits = 0, misses = 0;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: blocks may be freed while the process exits
  return *c;
}

// glibc mmaps blocks above a threshold that it raises (up to 32 MiB) each time it frees such a block, and trims the
// heap top above twice that. Blocks held here never reach free(), so the threshold would stay at its initial 128 KiB
// and every block from 128 KiB up would be mapped afresh on each allocation (the demo teacher's FP32 encoder window
// took 2x as long). So both thresholds are fixed instead: with recycling on, blocks below kCacheMinBytes come from
// the heap and blocks from kCacheMinBytes on are mmapped once and recycled here; with it off, everything up to
// glibc's largest dynamic threshold (32 MiB) comes from the heap. Freed heap memory is kept (trim threshold 256 MiB).
void set_malloc_thresholds(size_t limit) {
  mallopt(M_MMAP_THRESHOLD, limit > 0 ? (int)kCacheMinBytes : 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

[[maybe_unused]] const bool kThresholdsSet = (set_malloc_thresholds(cache().limit), true);  // when libdqw is loaded

void release_all(Cache& c) {  // c.mu held
  for (auto& [cls, list] : c.free_blocks)
    for (void* base : list) std::free(base);
  c.free_blocks.clear();
  c.bytes = 0;
}

void* take(size_t cls) {
  if (cls < kCacheMinBytes) return nullptr;
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  auto it = c.free_blocks.find(cls);
  if (it == c.free_blocks.end() || it->second.empty()) {
    ++c.misses;
    return nullptr;
  }
  void* base = it->second.back();
  it->second.pop_back();
  c.bytes -= cls;
  ++c.hits;
  return base;
}

void* fresh(size_t cls) {
  void* base = nullptr;
  if (posix_memalign(&base, 64, kHeaderBytes + cls) == 0) return base;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> g(c.mu);
    if (c.bytes == 0) return nullptr;
    release_all(c);
  }
  return posix_memalign(&base, 64, kHeaderBytes + cls) == 0 ? base : nullptr;
}

}  // namespace

extern "C" {

DQW_API void* dqw_alloc_uninit(int64_t bytes) {
  if (bytes < 0 || (uint64_t)bytes > (uint64_t)1 << 60) return nullptr;
  const size_t cls = size_class(round64(bytes));
  void* base = take(cls);
  if (base == nullptr) base = fresh(cls);
  if (base == nullptr) return nullptr;
  Header* h = static_cast<Header*>(base);
  h->magic = kMagic;
  h->block_bytes = cls;
  return static_cast<char*>(base) + kHeaderBytes;
}

DQW_API void* dqw_alloc(int64_t bytes) {
  void* p = dqw_alloc_uninit(bytes);
  if (p != nullptr) std::memset(p, 0, round64(bytes));
  return p;
}

DQW_API void dqw_free(void* p) {
  if (p == nullptr) return;
  void* base = static_cast<char*>(p) - kHeaderBytes;
  Header* h = static_cast<Header*>(base);
  if (h->magic != kMagic) {
    // a double free (or a pointer dqw_alloc never returned): recycling it would hand one block to two tensors
    std::fprintf(stderr, "dqw_free: %p is not a live dqw block (freed twice?)\n", p);
    std::abort();
  }
  const size_t cls = h->block_bytes;
  h->magic = 0;
  if (cls >= kCacheMinBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> g(c.mu);
    if (c.bytes + cls <= c.limit) {
      c.free_blocks[cls].push_back(base);
      c.bytes += cls;
      return;
    }
  }
  std::free(base);
}

DQW_API int64_t dqw_alloc_cache_bytes(void) {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  return (int64_t)c.bytes;
}

DQW_API int64_t dqw_alloc_cache_limit(void) {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  return (int64_t)c.limit;
}

DQW_API void dqw_alloc_cache_set_limit(int64_t bytes) {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  c.limit = bytes > 0 ? (size_t)bytes : 0;
  if (c.bytes > c.limit) release_all(c);
  set_malloc_thresholds(c.limit);
}

DQW_API void dqw_alloc_cache_release(void) {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  release_all(c);
}

DQW_API void dqw_alloc_cache_counts(int64_t* hits, int64_t* misses) {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  if (hits) *hits = c.hits;
  if (misses) *misses = c.misses;
}

DQW_API void dqw_copy(void* dst, const void* src, int64_t bytes) {
  if (bytes > 0) std::memmove(dst, src, (size_t)bytes);
}

DQW_API void dqw_fill_f32(float* dst, float value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

}  // extern "C"
