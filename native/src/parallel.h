// Internal: the CPU thread pool. Not part of the C ABI.
//
// dqw::parallel_for(n, fn) splits [0, n) into at most dqw_get_num_threads() contiguous chunks
// and runs fn(begin, end) for each, the caller taking the first chunk. Kernels must make every
// output element depend only on its inputs, never on how the range was split, so results are
// identical for any thread count. If the pool is busy (another Java thread is inside a kernel)
// or the call is nested, the whole range runs on the calling thread: still correct, just serial.
#pragma once
#include <cstdint>
#include <functional>

namespace dqw {
void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);
// Like parallel_for, but chunk boundaries are multiples of `grain` (except the end).
void parallel_for_grain(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn);
// Like parallel_for when `work` (e.g. the multiply-adds of a GEMM) reaches kMinParallelWork; below it the whole
// range runs on the calling thread, because waking the pool costs more than it saves (a 1x512x2048 INT8 GEMV
// took 2.2x longer on 2 threads than on 1). Results are the same either way (see above).
constexpr int64_t kMinParallelWork = int64_t(1) << 23;
void parallel_for_work(int64_t n, int64_t work, const std::function<void(int64_t begin, int64_t end)>& fn);
int active_isa();
}  // namespace dqw
