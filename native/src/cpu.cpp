// CPU runtime: ISA detection / forcing and a small persistent thread pool.
#include "dqw/cpu.h"
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

int detect_isa() {
  __builtin_cpu_init();
  // libgcc also checks that the OS enabled the zmm/ymm state (XCR0).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vnni"))
    return DQW_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return DQW_ISA_AVX2;
  return DQW_ISA_SCALAR;
}

int initial_forced() {
  // DQW_CPU_ISA=scalar|avx2|avx512 in the environment forces a path from the start (the Java side
  // maps the system property dqw.cpu.isa onto dqw_cpu_force_isa).
  const char* e = std::getenv("DQW_CPU_ISA");
  if (!e) return -1;
  if (!std::strcmp(e, "scalar")) return DQW_ISA_SCALAR;
  if (!std::strcmp(e, "avx2")) return DQW_ISA_AVX2;
  if (!std::strcmp(e, "avx512")) return DQW_ISA_AVX512;
  return -1;
}

const int g_detected = detect_isa();
std::atomic<int> g_forced{initial_forced()};

int default_threads() {
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : (int)hc;
}

// ---- thread pool ---------------------------------------------------------------------------------
class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
      ++generation_;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void set_threads(int n) {
    std::lock_guard<std::mutex> busy(dispatch_);
    threads_ = std::max(1, n);
  }
  int threads() const { return threads_; }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t blocks = (n + grain - 1) / grain;
    int t = (int)std::min<int64_t>(threads_, blocks);
    if (t <= 1 || in_pool_) {
      fn(0, n);
      return;
    }
    std::unique_lock<std::mutex> busy(dispatch_, std::try_to_lock);
    if (!busy.owns_lock()) {  // another thread is using the pool: run serially, same result
      fn(0, n);
      return;
    }
    ensure_workers(t - 1);
    // chunk c covers blocks [c*blocks/t, (c+1)*blocks/t)
    std::function<void(int)> chunk = [&](int c) {
      int64_t b0 = blocks * c / t, b1 = blocks * (c + 1) / t;
      int64_t lo = b0 * grain, hi = std::min(n, b1 * grain);
      if (lo < hi) fn(lo, hi);
    };
    {
      std::lock_guard<std::mutex> g(mu_);
      task_ = &chunk;
      active_ = t - 1;
      pending_ = t - 1;
      ++generation_;
    }
    cv_.notify_all();
    in_pool_ = true;
    chunk(0);
    in_pool_ = false;
    std::unique_lock<std::mutex> g(mu_);
    done_cv_.wait(g, [&] { return pending_ == 0; });
    task_ = nullptr;
  }

 private:
  void ensure_workers(int n) {
    while ((int)workers_.size() < n) {
      int id = (int)workers_.size();
      uint64_t g0;
      {
        std::lock_guard<std::mutex> g(mu_);
        g0 = generation_;  // the next task is generation g0 + 1, even if the thread starts late
      }
      workers_.emplace_back([this, id, g0] { loop(id, g0); });
    }
  }
  void loop(int id, uint64_t seen) {
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait(g, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (id >= active_) continue;
        task = task_;
      }
      in_pool_ = true;
      (*task)(id + 1);
      in_pool_ = false;
      {
        std::lock_guard<std::mutex> g(mu_);
        if (--pending_ == 0) done_cv_.notify_one();
      }
    }
  }

  std::mutex dispatch_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  uint64_t generation_ = 0;
  int active_ = 0, pending_ = 0;
  bool stop_ = false;
  int threads_ = default_threads();
  static thread_local bool in_pool_;
};
thread_local bool Pool::in_pool_ = false;

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

}  // namespace

namespace dqw {
void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) { pool().run(n, 1, fn); }
void parallel_for_grain(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  pool().run(n, grain, fn);
}
void parallel_for_work(int64_t n, int64_t work, const std::function<void(int64_t, int64_t)>& fn) {
  if (work < kMinParallelWork) {
    if (n > 0) fn(0, n);
    return;
  }
  pool().run(n, 1, fn);
}
int active_isa() {
  int f = g_forced.load(std::memory_order_relaxed);
  return f < 0 ? g_detected : std::min(f, g_detected);
}
}  // namespace dqw

extern "C" {
DQW_API int32_t dqw_cpu_detected_isa(void) { return g_detected; }
DQW_API int32_t dqw_cpu_active_isa(void) { return dqw::active_isa(); }
DQW_API int32_t dqw_cpu_force_isa(int32_t level) {
  if (level > g_detected) return -2;
  g_forced.store(level < 0 ? -1 : level);
  return dqw::active_isa();
}
DQW_API void dqw_set_num_threads(int32_t n) { pool().set_threads(n); }
DQW_API int32_t dqw_get_num_threads(void) { return pool().threads(); }
DQW_API const char* dqw_version(void) { return "dq-whisper native 0.1.0"; }
}
