// FP32 GEMM: the C ABI of dqw/gemm_f32.h, instruction-set dispatch, packing of B and the blocked,
// threaded driver. The register micro-kernels, the packing of A and the epilogue come from the
// KernelSet of the active path (gemm_f32_scalar.cpp, gemm_f32_avx2.cpp, gemm_f32_avx512.cpp).
//
// Blocking (GotoBLAS style): k is cut into blocks of at most kKcMax (kKcMaxPacked) steps, in order;
// for each k block op(B) is packed once into kPanelCols-wide panels (or taken from the prepacked
// weights), and the output is cut into tiles (row groups × column panels) run by
// dqw::parallel_for. A tile walks column sub-blocks that fit in L2, then row groups of A (packed
// on first use and kept in L1, or, on paths with a direct kernel, read in place from row-major A
// so that its memory traffic overlaps the FMAs), then the units of the sub-block. k is never split
// across threads, and every C element is summed in increasing k from its starting value (an FP32
// C round trip between k blocks is exact), so the result does not depend on the thread count or
// the blocking.
#include "dqw/gemm_f32.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "dqw/cpu.h"
#include "gemm_f32_kernels.h"
#include "parallel.h"

namespace dqw {
namespace gemm_f32 {
namespace {

// k steps per block. With prepacked weights Whisper's K <= 2048 runs in one block: no FP32 round
// trip of C between blocks (measured 1-8 % faster at K = 1024..2048 than 768-step blocks). Packing
// B on the fly keeps the shorter blocks: its per-thread buffer holds n x (k block) floats.
constexpr int64_t kKcMaxPacked = 2048;
constexpr int64_t kKcMax = 768;
constexpr int64_t kGroupsPerTile = 8;            // row groups per tile when rows are plentiful
constexpr int64_t kSubBlockFloats = 96 * 1024;   // packed B columns walked per A group: 384 KB (L2)
constexpr int64_t kPanelGrain = 4;               // column tiles are cut at multiples of 4 panels
constexpr size_t kRetainFloats = 4u << 20;       // keep a calling thread's B buffer up to 16 MB

// element (i, j) of a row-major view = p[i·rs + j·cs]
struct Matrix {
  const float* p;
  int64_t rs, cs;
};

struct Problem {
  int64_t m, n, k;
  Matrix a;              // op(A) [m, k]
  Matrix b;              // op(B) [k, n] (unused when packed)
  const float* packed;   // prepacked B (full k per panel), or null
  float* c;
  int64_t ldc;
  bool accumulate;
  const float* bias;
  int flags;
};

// A growable 64-byte aligned scratch buffer; one per thread (thread_local), never shared.
class ScratchBuffer {
 public:
  ~ScratchBuffer() { std::free(p_); }
  float* get(size_t floats) {
    if (floats > cap_) {
      std::free(p_);
      size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      p_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      cap_ = p_ ? floats : 0;
    }
    return p_;
  }
  void trim(size_t keep_floats) {
    if (cap_ > keep_floats) {
      std::free(p_);
      p_ = nullptr;
      cap_ = 0;
    }
  }

 private:
  float* p_ = nullptr;
  size_t cap_ = 0;
};

thread_local ScratchBuffer tls_a_buffer;  // packed A of the current tile
thread_local ScratchBuffer tls_b_buffer;  // packed B block of the calling thread

const KernelSet& active_kernels() {
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: return avx512_kernels();
    case DQW_ISA_AVX2: return avx2_kernels();
    default: return scalar_kernels();
  }
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Packs op(B) rows [k0, k0+kc) of panels [p0, p1) into out (panel p at out + p·pstride).
void pack_b_panels(const Matrix& b, int64_t k0, int64_t kc, int64_t n, int64_t p0, int64_t p1, float* out,
                   int64_t pstride) {
  for (int64_t p = p0; p < p1; ++p) {
    float* dst = out + p * pstride;
    const int64_t n0 = p * kPanelCols;
    const int nc = (int)std::min<int64_t>(kPanelCols, n - n0);
    if (b.cs == 1) {  // rows of op(B) contiguous: copy row segments
      for (int64_t kk = 0; kk < kc; ++kk) {
        const float* src = b.p + (k0 + kk) * b.rs + n0;
        float* d = dst + kk * kPanelCols;
        std::memcpy(d, src, sizeof(float) * nc);
        if (nc < kPanelCols) std::memset(d + nc, 0, sizeof(float) * (kPanelCols - nc));
      }
    } else {  // columns of op(B) contiguous along k (B stored [n, k]): transpose in 8-step strips
      if (nc < kPanelCols) {
        for (int64_t kk = 0; kk < kc; ++kk) std::memset(dst + kk * kPanelCols + nc, 0, sizeof(float) * (kPanelCols - nc));
      }
      for (int64_t kk0 = 0; kk0 < kc; kk0 += 8) {
        const int steps = (int)std::min<int64_t>(8, kc - kk0);
        for (int j = 0; j < nc; ++j) {
          const float* src = b.p + (n0 + j) * b.cs + (k0 + kk0) * b.rs;
          float* d = dst + kk0 * kPanelCols + j;
          for (int t = 0; t < steps; ++t) d[t * kPanelCols] = src[t * b.rs];
        }
      }
    }
  }
}

// Output tiles: mtiles row ranges (whole groups) × ntiles column ranges (whole panel grains).
struct TilePlan {
  int64_t groups, mtiles, npanels, grains, ntiles;
  void rows_of(int64_t mt, int64_t* g0, int64_t* g1) const {
    *g0 = groups * mt / mtiles;
    *g1 = groups * (mt + 1) / mtiles;
  }
  void panels_of(int64_t nt, int64_t* p0, int64_t* p1) const {
    *p0 = std::min(npanels, grains * nt / ntiles * kPanelGrain);
    *p1 = std::min(npanels, grains * (nt + 1) / ntiles * kPanelGrain);
  }
};

TilePlan plan_tiles(const Problem& pr, int mr) {
  TilePlan t;
  const int64_t threads = std::max(1, dqw_get_num_threads());
  t.groups = ceil_div(pr.m, mr);
  t.npanels = ceil_div(pr.n, kPanelCols);
  t.grains = ceil_div(t.npanels, kPanelGrain);
  t.mtiles = ceil_div(t.groups, kGroupsPerTile);
  if (threads > 1) t.mtiles = std::min(t.groups, ceil_div(t.mtiles, threads) * threads);
  t.ntiles = 1;
  if (threads > 1 && t.mtiles < 2 * threads) t.ntiles = std::min(t.grains, ceil_div(2 * threads, t.mtiles));
  return t;
}

// One tile for one k block: rows of groups [g0, g1), panels [p0, p1). Each row group of A is
// packed just before its first use (on the first column sub-block) and reused from cache after.
void run_tile(const KernelSet& ks, const Problem& pr, int64_t k0, int64_t kc, const float* bblk, int64_t pstride,
              bool load_c, bool last, int64_t g0, int64_t g1, int64_t p0, int64_t p1, float* ap) {
  const int mr = ks.mr;
  const int ucols = ks.unit_cols;
  const int upp = kPanelCols / ucols;  // units per panel
  const int64_t sub_panels = std::max<int64_t>(1, kSubBlockFloats / (kc * kPanelCols));
  const bool epilogue = last && pr.flags != 0;
  // full row groups read row-major A in place unless its rows are a multiple of 4 KB apart (then
  // they would all share one L1 set)
  const bool direct_rows = ks.direct && pr.a.cs == 1 && pr.a.rs % 1024 != 0;
  const float* bunit[kMaxUnits];
  for (int64_t jb = p0; jb < p1; jb += sub_panels) {
    const int64_t col0 = jb * kPanelCols;
    const int64_t col1 = std::min(pr.n, std::min(p1, jb + sub_panels) * kPanelCols);
    const int64_t u0 = col0 / ucols, u1 = ceil_div(col1, ucols);  // units holding real columns
    for (int64_t g = g0; g < g1; ++g) {
      const int64_t r0 = g * mr;
      const int r = (int)std::min<int64_t>(mr, pr.m - r0);
      const int maxu = ks.max_units[r];
      float* apg = ap + (g - g0) * ks.a_step * kc;
      float* crow = pr.c + r0 * pr.ldc;
      const float* asrc = pr.a.p + r0 * pr.a.rs + k0 * pr.a.cs;
      const bool direct = direct_rows && r == mr;
      if (jb == p0 && !direct) ks.pack_a(asrc, pr.a.rs, pr.a.cs, r, kc, apg);
      for (int64_t u = u0; u < u1; u += maxu) {
        const int nu = (int)std::min<int64_t>(maxu, u1 - u);
        for (int i = 0; i < nu; ++i) bunit[i] = bblk + (u + i) / upp * pstride + (u + i) % upp * ucols;
        const int64_t ucol = u * ucols;
        const int ncols = (int)std::min<int64_t>((int64_t)nu * ucols, pr.n - ucol);
        if (direct) {
          ks.direct(kc, asrc, pr.a.rs, bunit, crow + ucol, pr.ldc, ncols, load_c);
        } else {
          ks.kernel(r, nu)(kc, apg, bunit, crow + ucol, pr.ldc, ncols, load_c);
        }
      }
      if (epilogue) {
        ks.epilogue(crow + col0, pr.ldc, r, (int)(col1 - col0), pr.bias ? pr.bias + col0 : nullptr, pr.flags);
      }
    }
  }
}

// k == 0: C = epilogue(accumulate ? C : 0)
void run_empty_k(const KernelSet& ks, const Problem& pr) {
  dqw::parallel_for(pr.m, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* row = pr.c + i * pr.ldc;
      if (!pr.accumulate) std::memset(row, 0, sizeof(float) * pr.n);
      if (pr.flags) ks.epilogue(row, pr.ldc, 1, (int)pr.n, pr.bias, pr.flags);
    }
  });
}

int32_t run(const Problem& pr) {
  if (pr.m == 0 || pr.n == 0) return 0;
  const KernelSet& ks = active_kernels();
  if (pr.k == 0) {
    run_empty_k(ks, pr);
    return 0;
  }
  const TilePlan plan = plan_tiles(pr, ks.mr);
  const int64_t kblocks = ceil_div(pr.k, pr.packed ? kKcMaxPacked : kKcMax);
  float* bbuf = nullptr;
  if (!pr.packed) {
    const int64_t kc_max = ceil_div(pr.k, kblocks);
    bbuf = tls_b_buffer.get((size_t)(plan.npanels * kc_max * kPanelCols));
    if (!bbuf) return DQW_GEMM_ENOMEM;
  }
  std::atomic<bool> out_of_memory{false};
  for (int64_t kb = 0; kb < kblocks; ++kb) {
    const int64_t k0 = pr.k * kb / kblocks, kc = pr.k * (kb + 1) / kblocks - k0;
    const float* bblk;
    int64_t pstride;
    if (pr.packed) {
      bblk = pr.packed + k0 * kPanelCols;
      pstride = pr.k * kPanelCols;
    } else {
      pstride = kc * kPanelCols;
      dqw::parallel_for(plan.npanels, [&](int64_t p0, int64_t p1) {
        pack_b_panels(pr.b, k0, kc, pr.n, p0, p1, bbuf, pstride);
      });
      bblk = bbuf;
    }
    const bool load_c = pr.accumulate || kb > 0;
    const bool last = kb == kblocks - 1;
    dqw::parallel_for_work(plan.mtiles * plan.ntiles, (int64_t)pr.m * pr.n * kc, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        int64_t g0, g1, p0, p1;
        plan.rows_of(t / plan.ntiles, &g0, &g1);
        plan.panels_of(t % plan.ntiles, &p0, &p1);
        if (g0 >= g1 || p0 >= p1) continue;
        float* ap = tls_a_buffer.get((size_t)((g1 - g0) * ks.a_step * kc));
        if (!ap) {
          out_of_memory = true;
          continue;
        }
        run_tile(ks, pr, k0, kc, bblk, pstride, load_c, last, g0, g1, p0, p1, ap);
      }
    });
    if (out_of_memory) break;
  }
  tls_b_buffer.trim(kRetainFloats);
  return out_of_memory ? DQW_GEMM_ENOMEM : 0;
}

bool valid_flags(int32_t flags) { return (flags & ~(DQW_EPI_BIAS | DQW_EPI_GELU)) == 0; }

}  // namespace
}  // namespace gemm_f32
}  // namespace dqw

using namespace dqw::gemm_f32;

extern "C" {

DQW_API int32_t dqw_sgemm(int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, int32_t accumulate,
                          const float* bias, int32_t flags) {
  if (m < 0 || n < 0 || k < 0 || !valid_flags(flags)) return DQW_GEMM_EINVAL;
  if (m == 0 || n == 0) return 0;
  if (!c || ldc < n) return DQW_GEMM_EINVAL;
  if ((flags & DQW_EPI_BIAS) && !bias) return DQW_GEMM_EINVAL;
  if (k > 0) {
    if (!a || !b) return DQW_GEMM_EINVAL;
    if (lda < (trans_a ? m : k) || ldb < (trans_b ? k : n)) return DQW_GEMM_EINVAL;
  }
  Problem pr{m, n, k,
             trans_a ? Matrix{a, 1, lda} : Matrix{a, lda, 1},
             trans_b ? Matrix{b, 1, ldb} : Matrix{b, ldb, 1},
             nullptr, c, ldc, accumulate != 0, (flags & DQW_EPI_BIAS) ? bias : nullptr, flags};
  return run(pr);
}

DQW_API int64_t dqw_sgemm_packed_bytes(int32_t n, int32_t k) {
  if (n < 0 || k < 0) return -1;
  return (int64_t)((n + kPanelCols - 1) / kPanelCols) * kPanelCols * (int64_t)k * (int64_t)sizeof(float);
}

DQW_API int32_t dqw_sgemm_pack(const float* w, int64_t ldw, int32_t n, int32_t k, float* packed) {
  if (n < 0 || k < 0) return DQW_GEMM_EINVAL;
  if (n == 0 || k == 0) return 0;
  if (!w || !packed || ldw < k) return DQW_GEMM_EINVAL;
  const Matrix wt{w, 1, ldw};  // op(B) = Wᵀ: element (kk, j) = w[j·ldw + kk]
  const int64_t npanels = (n + kPanelCols - 1) / kPanelCols;
  dqw::parallel_for(npanels, [&](int64_t p0, int64_t p1) {
    pack_b_panels(wt, 0, k, n, p0, p1, packed, (int64_t)k * kPanelCols);
  });
  return 0;
}

DQW_API int32_t dqw_sgemm_packed(int32_t m, int32_t n, int32_t k, const float* a, int64_t lda, const float* packed,
                                 float* c, int64_t ldc, int32_t accumulate, const float* bias, int32_t flags) {
  if (m < 0 || n < 0 || k < 0 || !valid_flags(flags)) return DQW_GEMM_EINVAL;
  if (m == 0 || n == 0) return 0;
  if (!c || ldc < n) return DQW_GEMM_EINVAL;
  if ((flags & DQW_EPI_BIAS) && !bias) return DQW_GEMM_EINVAL;
  if (k > 0 && (!a || !packed || lda < k)) return DQW_GEMM_EINVAL;
  Problem pr{m, n, k, Matrix{a, lda, 1}, Matrix{nullptr, 0, 0}, packed, c, ldc, accumulate != 0,
             (flags & DQW_EPI_BIAS) ? bias : nullptr, flags};
  return run(pr);
}

DQW_API int32_t dqw_sgemm_epilogue(int32_t m, int32_t n, float* c, int64_t ldc, const float* bias, int32_t flags) {
  if (m < 0 || n < 0 || !valid_flags(flags)) return DQW_GEMM_EINVAL;
  if (m == 0 || n == 0 || flags == 0) return 0;
  if (!c || ldc < n || ((flags & DQW_EPI_BIAS) && !bias)) return DQW_GEMM_EINVAL;
  const KernelSet& ks = active_kernels();
  dqw::parallel_for(m, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) ks.epilogue(c + i * ldc, ldc, 1, n, (flags & DQW_EPI_BIAS) ? bias : nullptr, flags);
  });
  return 0;
}

}  // extern "C"
