// INT8 GEMM: C ABI, argument checks, weight packing, ISA dispatch and the threaded tile driver.
// The per-ISA kernels live in gemm_int8_scalar.cpp, gemm_int8_avx2.cpp and gemm_int8_avx512.cpp.
#include "dqw/gemm_int8.h"

#include <algorithm>
#include <cstring>

#include "dqw/cpu.h"
#include "gemm_int8_kernels.h"
#include "parallel.h"

namespace dqw {
namespace int8 {
namespace {

const Kernels& active_kernels() {
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: return kernels_avx512();
    case DQW_ISA_AVX2: return kernels_avx2();
    default: return kernels_scalar();
  }
}

int32_t quads_of(int32_t k) { return (k + 3) / 4; }
int32_t panels_of(int32_t n) { return (n + kPanelCols - 1) / kPanelCols; }

bool decode(const void* packed, int32_t n, int32_t k, Pack* out) {
  PackHeader h;
  std::memcpy(&h, packed, sizeof h);
  if (h.magic != kPackMagic || h.version != kPackVersion || h.n != n || h.k != k || h.quads != quads_of(k) ||
      h.panels != panels_of(n))
    return false;
  *out = Pack{n, k, h.quads, h.panels, static_cast<const uint8_t*>(packed) + kHeaderBytes};
  return true;
}

// ---- work partition --------------------------------------------------------------------------------
// Output tiles: M is cut into blocks of whole micro-kernel row groups, about kABlockBytes of A each
// (the A block and the kernel's current weight chunk share L2, and each weight chunk is reused by
// every row group of the block), N into runs of whole panels when there are too few M blocks to feed
// the threads (the decoder's M = 1..8). K is never split. The integer accumulation is exact, so the
// partition cannot change any result; it only balances the work.
constexpr int64_t kABlockBytes = 192 * 1024;
constexpr int32_t kMaxBlockRows = 480;        // also the size of the per-task row-sum buffer
constexpr int64_t kMinTaskMacs = 1 << 19;     // below this a task is not worth a thread hand-off
constexpr int64_t kFusedChunkBytes = 256 * 1024;  // fused Linear: packed weights of the first column chunk
constexpr int32_t kFusedQuantRows = 16;           // fused Linear: rows quantized per step (rounded to mr)

struct Plan {
  int32_t m, n, mr;
  int64_t units;    // ceil(m / mr)
  int64_t mblocks;  // M blocks (each a run of units)
  int64_t nblocks;  // N blocks (each a run of panels)
  int64_t panels;
  int64_t rows_begin(int64_t i) const { return std::min<int64_t>(m, units * i / mblocks * mr); }
  int64_t cols_begin(int64_t j) const { return std::min<int64_t>(n, panels * j / nblocks * kPanelCols); }
};

Plan make_plan(int32_t m, int32_t n, int32_t k, int mr) {
  Plan p{m, n, mr, (m + mr - 1) / mr, 1, 1, panels_of(n)};
  const int64_t threads = std::max(1, (int)dqw_get_num_threads());
  int64_t rows_cap = std::clamp<int64_t>(kABlockBytes / k, mr, kMaxBlockRows) / mr * mr;
  int64_t units_cap = std::max<int64_t>(1, rows_cap / mr);
  p.mblocks = (p.units + units_cap - 1) / units_cap;
  const double macs = (double)m * n * k;  // may exceed int64 for absurd shapes
  const int64_t max_tasks = (int64_t)std::max(1.0, std::min(macs / kMinTaskMacs, 4.0 * threads));
  if (threads > 1 && p.mblocks < threads && max_tasks > p.mblocks) {
    // too few M blocks: also split N (equal runs of panels)
    p.nblocks = std::min<int64_t>(p.panels, (std::min(threads, max_tasks) + p.mblocks - 1) / p.mblocks);
  } else if (threads > 1 && p.mblocks < 4 * threads && p.mblocks % threads != 0) {
    // round the block count up to a multiple of the thread count (blocks only shrink)
    p.mblocks = std::min<int64_t>(p.units, (p.mblocks + threads - 1) / threads * threads);
  }
  return p;
}

struct Job {
  const Kernels* kern;
  Pack pack;
  Epilogue epi;
  const int8_t* a;  // quantized rows (for linear: work_q)
  int64_t lda;
  // linear only: quantize rows inside the tile tasks (nblocks == 1) or before them
  const float* x = nullptr;
  int64_t ldx = 0;
  int8_t* q_out = nullptr;
  float* scale_out = nullptr;
};

void run_task(const Job& job, const Plan& plan, int64_t task, bool quantize_here) {
  const int64_t i = task / plan.nblocks, j = task % plan.nblocks;
  const int64_t r0 = plan.rows_begin(i), r1 = plan.rows_begin(i + 1);
  const int32_t c0 = (int32_t)plan.cols_begin(j), c1 = (int32_t)plan.cols_begin(j + 1);
  if (r0 >= r1 || c0 >= c1) return;
  int32_t rowsum[kMaxBlockRows];
  const int32_t k = job.pack.k;
  if (!quantize_here) {
    job.kern->rowsum(job.a + r0 * job.lda, job.lda, (int32_t)(r1 - r0), k, rowsum);
    Tile t{job.a + r0 * job.lda, job.lda, rowsum, (int32_t)(r1 - r0), r0, c0, c1};
    job.kern->tile(job.pack, t, job.epi);
    return;
  }
  // Fused Linear: the F32 rows are the one operand that comes from memory (~4 bytes per k per row,
  // read once). They are quantized kFusedQuantRows at a time, each step just before those rows
  // sweep the first column chunk, and that tile is handed the address range of the next step's
  // rows so that the kernel can prefetch them while it computes: the memory reads overlap the
  // integer work instead of stalling the next quantize. The later chunks reuse the block's
  // quantized rows from cache. Same tiles, same exact sums: the results do not change.
  const int64_t panel_bytes = (int64_t)job.pack.quads * kQuadBytes;
  const int32_t chunk = (int32_t)std::max<int64_t>(1, kFusedChunkBytes / panel_bytes) * kPanelCols;
  const int32_t first_end = c1 - c0 <= chunk ? c1 : c0 + chunk;
  const int32_t step = std::max(1, kFusedQuantRows / job.kern->mr) * job.kern->mr;
  for (int64_t r = r0; r < r1; r += step) {
    const int32_t rows = (int32_t)std::min<int64_t>(step, r1 - r);
    int32_t* rs = rowsum + (r - r0);
    job.kern->quantize(job.x + r * job.ldx, job.ldx, rows, k, job.q_out + r * job.lda, job.lda, job.scale_out + r, rs);
    Tile t{job.a + r * job.lda, job.lda, rs, rows, r, c0, first_end};
    // (after the block's last step: the first rows of the next block, usually this thread's next task)
    const int64_t next = r + rows, next_rows = std::min<int64_t>(step, plan.m - next);
    if (next_rows > 0) {  // rows lie ldx apart: the range covers them (and any gaps)
      t.pf = reinterpret_cast<const char*>(job.x + next * job.ldx);
      t.pf_bytes = ((next_rows - 1) * job.ldx + k) * (int64_t)sizeof(float);
    }
    job.kern->tile(job.pack, t, job.epi);
  }
  if (first_end < c1) {
    Tile t{job.a + r0 * job.lda, job.lda, rowsum, (int32_t)(r1 - r0), r0, first_end, c1};
    job.kern->tile(job.pack, t, job.epi);
  }
}

void run(const Job& job, int32_t m) {
  const Plan plan = make_plan(m, job.pack.n, job.pack.k, job.kern->mr);
  const int64_t work = (int64_t)m * job.pack.n * job.pack.k;
  const bool fused_quant = job.x != nullptr && plan.nblocks == 1;
  if (job.x != nullptr && !fused_quant) {
    // several tasks share each row block: quantize every row first (parallel over row blocks)
    dqw::parallel_for_work(plan.mblocks, work, [&](int64_t b0, int64_t b1) {
      const int64_t r0 = plan.rows_begin(b0), r1 = plan.rows_begin(b1);
      if (r0 < r1)
        job.kern->quantize(job.x + r0 * job.ldx, job.ldx, (int32_t)(r1 - r0), job.pack.k, job.q_out + r0 * job.lda,
                           job.lda, job.scale_out + r0, nullptr);
    });
  }
  dqw::parallel_for_work(plan.mblocks * plan.nblocks, work, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) run_task(job, plan, t, fused_quant);
  });
}

bool dims_ok(int32_t m, int32_t k, int32_t n) {
  return m >= 0 && n >= 1 && k >= 1 && k <= DQW_INT8_MAX_K;
}

}  // namespace
}  // namespace int8
}  // namespace dqw

using namespace dqw::int8;

extern "C" {

DQW_API int64_t dqw_int8_packed_bytes(int32_t n, int32_t k) {
  if (n < 1 || k < 1 || k > DQW_INT8_MAX_K) return -1;
  return kHeaderBytes + (int64_t)panels_of(n) * quads_of(k) * kQuadBytes;
}

DQW_API int32_t dqw_int8_pack(const int8_t* w, int32_t n, int32_t k, void* packed) {
  if (!w || !packed || dqw_int8_packed_bytes(n, k) < 0) return DQW_INT8_BAD_ARGS;
  PackHeader h{};
  h.magic = kPackMagic;
  h.version = kPackVersion;
  h.n = n;
  h.k = k;
  h.quads = quads_of(k);
  h.panels = panels_of(n);
  std::memcpy(packed, &h, sizeof h);
  uint8_t* data = static_cast<uint8_t*>(packed) + kHeaderBytes;
  const int64_t panel_bytes = (int64_t)h.quads * kQuadBytes;
  dqw::parallel_for(h.panels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      uint8_t* dst = data + p * panel_bytes;
      std::memset(dst, 128, (size_t)panel_bytes);  // padding = weight 0
      for (int c = 0; c < kPanelCols; ++c) {
        const int64_t col = p * kPanelCols + c;
        if (col >= n) break;
        const int8_t* src = w + col * k;
        for (int32_t kk = 0; kk < k; ++kk)
          dst[(int64_t)(kk / 4) * kQuadBytes + 4 * c + kk % 4] = (uint8_t)(src[kk] + 128);
      }
    }
  });
  return DQW_INT8_OK;
}

DQW_API int32_t dqw_quantize_rows_s8(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq,
                                     float* scale) {
  if (m < 0 || k < 1) return DQW_INT8_BAD_ARGS;
  if (m == 0) return DQW_INT8_OK;
  if (!x || !q || !scale || ldx < k || ldq < k) return DQW_INT8_BAD_ARGS;
  const Kernels& kern = active_kernels();
  // rows are independent: split them over the threads in blocks of 16
  dqw::parallel_for_grain(m, 16, [&](int64_t r0, int64_t r1) {
    kern.quantize(x + r0 * ldx, ldx, (int32_t)(r1 - r0), k, q + r0 * ldq, ldq, scale + r0, nullptr);
  });
  return DQW_INT8_OK;
}

DQW_API int32_t dqw_int8_gemm_s32(const int8_t* a, int64_t lda, int32_t m, int32_t k, const void* packed, int32_t n,
                                  int32_t* c, int64_t ldc) {
  if (!dims_ok(m, k, n) || !packed) return DQW_INT8_BAD_ARGS;
  Job job{&active_kernels(), {}, {}, a, lda};
  if (!decode(packed, n, k, &job.pack)) return DQW_INT8_BAD_PACK;
  if (m == 0) return DQW_INT8_OK;
  if (!a || !c || lda < k || ldc < n) return DQW_INT8_BAD_ARGS;
  job.epi = Epilogue{c, ldc, nullptr, 0, nullptr, nullptr, nullptr, false};
  run(job, m);
  return DQW_INT8_OK;
}

DQW_API int32_t dqw_int8_gemm_f32(const int8_t* a, int64_t lda, const float* a_scale, int32_t m, int32_t k,
                                  const void* packed, const float* w_scale, const float* bias, int32_t n, float* y,
                                  int64_t ldy, int32_t flags) {
  if (!dims_ok(m, k, n) || !packed) return DQW_INT8_BAD_ARGS;
  Job job{&active_kernels(), {}, {}, a, lda};
  if (!decode(packed, n, k, &job.pack)) return DQW_INT8_BAD_PACK;
  if (m == 0) return DQW_INT8_OK;
  const bool use_bias = (flags & DQW_EPI_BIAS) != 0;
  if (!a || !a_scale || !w_scale || !y || (use_bias && !bias) || lda < k || ldy < n) return DQW_INT8_BAD_ARGS;
  job.epi = Epilogue{nullptr, 0, y, ldy, a_scale, w_scale, use_bias ? bias : nullptr, (flags & DQW_EPI_GELU) != 0};
  run(job, m);
  return DQW_INT8_OK;
}

DQW_API int32_t dqw_int8_linear(const float* x, int64_t ldx, int32_t m, int32_t k, const void* packed,
                                const float* w_scale, const float* bias, int32_t n, float* y, int64_t ldy,
                                int32_t flags, int8_t* work_q, float* work_scale) {
  if (!dims_ok(m, k, n) || !packed) return DQW_INT8_BAD_ARGS;
  Job job{&active_kernels(), {}, {}, work_q, k};
  if (!decode(packed, n, k, &job.pack)) return DQW_INT8_BAD_PACK;
  if (m == 0) return DQW_INT8_OK;
  const bool use_bias = (flags & DQW_EPI_BIAS) != 0;
  if (!x || !w_scale || !y || !work_q || !work_scale || (use_bias && !bias) || ldx < k || ldy < n)
    return DQW_INT8_BAD_ARGS;
  job.epi = Epilogue{nullptr, 0, y, ldy, work_scale, w_scale, use_bias ? bias : nullptr,
                     (flags & DQW_EPI_GELU) != 0};
  job.x = x;
  job.ldx = ldx;
  job.q_out = work_q;
  job.scale_out = work_scale;
  run(job, m);
  return DQW_INT8_OK;
}

DQW_API void dqw_int8_gelu_f32(const float* x, float* y, int64_t n) {
  if (!x || !y || n <= 0) return;
  active_kernels().gelu(x, y, n);
}

}  // extern "C"
