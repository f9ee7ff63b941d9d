// Tensor memory: 64-byte aligned, zero-filled blocks, with a bounded cache of freed large blocks.
//
// Inference allocates and frees the same large activations on every call (a 30 s window's MLP hidden
// state is 9-12 MB). malloc serves blocks that size from fresh mappings or trims them back to the kernel
// when freed, so every call paid page faults plus the kernel's and our own zeroing: a fifth of a
// whisper-tiny encoder pass. Freed blocks of at least kMinCached bytes are therefore kept, by size class
// (8 classes per power of two, <= 12.5 % slack), up to a cap (DQW_ALLOC_CACHE_MB, default 256; 0 turns
// the cache off), and lent again to the next request of the same class. A block that would overflow the
// cap first evicts every idle block (so the cache follows a change of shapes instead of filling up with
// old sizes); blocks larger than a quarter of the cap are never kept. Every block carries its class in a
// 64-byte header in front of the pointer handed out.
#include "dqw/memory.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kHeader = 64;
constexpr size_t kMinCached = 256 * 1024;

size_t size_class(size_t n) {
  if (n < kMinCached) return (n + 63) & ~(size_t)63;
  const int e = 63 - __builtin_clzll((unsigned long long)n);
  const size_t step = (size_t)1 << (e - 3);
  return (n + step - 1) / step * step;
}

struct BlockCache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> idle;  // class -> block bases
  size_t idle_bytes = 0;
  size_t cap;

  BlockCache() {
    const char* e = std::getenv("DQW_ALLOC_CACHE_MB");
    long long mb = e ? std::atoll(e) : 256;
    cap = mb > 0 ? (size_t)mb << 20 : 0;
  }

  void* take(size_t cls) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = idle.find(cls);
    if (it == idle.end() || it->second.empty()) return nullptr;
    void* base = it->second.back();
    it->second.pop_back();
    idle_bytes -= cls;
    return base;
  }

  // true when the block was kept
  bool keep(void* base, size_t cls) {
    if (cls < kMinCached || cls > cap / 4) return false;
    std::vector<void*> evicted;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (idle_bytes + cls > cap) {
        for (auto& kv : idle)
          for (void* b : kv.second) evicted.push_back(b);
        idle.clear();
        idle_bytes = 0;
      }
      idle[cls].push_back(base);
      idle_bytes += cls;
    }
    for (void* b : evicted) std::free(b);
    return true;
  }

  size_t idle_total() {
    std::lock_guard<std::mutex> lock(mu);
    return idle_bytes;
  }
};

BlockCache& cache() {
  static BlockCache* c = new BlockCache();  // never destroyed: blocks may be freed during shutdown
  return *c;
}

}  // namespace

extern "C" {
DQW_API void* dqw_alloc(int64_t bytes) {
  if (bytes < 0) return nullptr;
  const size_t used = ((size_t)bytes + 63) & ~(size_t)63;
  const size_t cls = size_class(used == 0 ? 64 : used);
  void* base = cls >= kMinCached ? cache().take(cls) : nullptr;
  if (base == nullptr && posix_memalign(&base, 64, cls + kHeader) != 0) return nullptr;
  *static_cast<size_t*>(base) = cls;
  void* p = static_cast<char*>(base) + kHeader;
  std::memset(p, 0, used == 0 ? 64 : used);
  return p;
}

DQW_API void dqw_free(void* p) {
  if (p == nullptr) return;
  void* base = static_cast<char*>(p) - kHeader;
  if (!cache().keep(base, *static_cast<size_t*>(base))) std::free(base);
}

DQW_API int64_t dqw_alloc_cached_bytes(void) { return (int64_t)cache().idle_total(); }

DQW_API void dqw_copy(void* dst, const void* src, int64_t bytes) {
  if (bytes > 0) std::memmove(dst, src, (size_t)bytes);
}
DQW_API void dqw_fill_f32(float* dst, float value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}
}
