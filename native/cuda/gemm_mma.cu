// Tensor-core GEMMs Y[M,N] = A[M,K] . W[N,K]^T with mma.sync (sm_80+):
//   INT8: m16n8k32 s8 x s8 -> s32 (exact), epilogue: raw s32, or dequantize (+bias) (->GELU) to F32;
//   FP16 / BF16: m16n8k16 -> f32, epilogue (+bias) (->GELU) to F32 or the input type.
// One kernel template serves all three: both instruction shapes consume 32 bytes of K per k-step and
// their fragment registers sit at identical byte offsets, so the kernel works on bytes of K.
//
// Design (issue #7, Hopper / Ampere):
// - Each pipeline stage holds 128 bytes of K (128 s8 or 64 halves) for BM rows of A and BN rows of W;
//   STAGES (3-4) stages in dynamic shared memory, filled with cp.async 16-byte copies and consumed
//   with one __syncthreads per K block (wait_group<STAGES-2>): the loads for block kt+STAGES-1 overlap
//   the math of block kt.
// - Rows are 128 bytes (8 chunks of 16 bytes) without padding; chunk c of row r is stored at chunk
//   c ^ (r & 7). ldmatrix.x4 reads eight rows of one logical chunk per matrix; the XOR spreads them
//   over all 32 banks (conflict-free), as do the cp.async writes (a warp writes 4 whole rows).
// - Fragments come from ldmatrix.x4: one instruction gives a whole 16x32-byte A fragment or the B
//   fragments of two 8-column tiles (4 instructions per 16x16 of output instead of 12 32-bit loads).
// - Several block tiles (128x128 with 8 or 4 warps, 128x64, 64x128, 64x64) and split-K (2-4 K ranges,
//   partials in a stream-ordered scratch buffer, reduced in a fixed order by a second kernel), chosen
//   per call shape by a one-time autotuner (M = 1500 with N = 512 gives only 48 128x128 tiles for 132
//   SMs: the best tile depends on the card).
// - K tails and row tails are zero-filled (a zero s8 / +0.0 half adds nothing), so any M, N, K >= 1
//   works; operands that are not 16-byte aligned (pointer or row stride) use a byte-wise tile loader
//   into the same layout.
// - Epilogue stores two adjacent columns as one 8-byte (s32 / f32) or 4-byte (half) store when aligned.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>

#include "common.cuh"
#include "dqw/cuda_gemm_config.h"
#include "mma.cuh"

namespace {
using namespace dqw_cuda;

constexpr int kStageKBytes = 128;                 // bytes of K per pipeline stage (one smem row)
constexpr int kRowChunks = kStageKBytes / 16;     // 8 chunks of 16 bytes per row

// What the kernel writes: the final result (first five), or raw split-K partial sums.
enum EpiMode : int { kEpiS32, kEpiDequantF32, kEpiF32, kEpiF16, kEpiBF16, kEpiPartial };

struct GemmParams {
  const unsigned char* a;
  int64_t lda_bytes;
  const unsigned char* w;
  int64_t ldw_bytes;
  int m, n, k_bytes;
  bool aligned;  // a, w, lda, ldw all multiples of 16 bytes: cp.async path
  const float* a_scale;
  const float* w_scale;
  const float* bias;
  void* y;
  int64_t ldy;
  int flags;
  int mode;              // EpiMode of the final result
  int ktiles_per_split;  // K blocks (128 bytes) per blockIdx.z
  int splits;            // gridDim.z; > 1: partial sums go to `partial`
  void* partial;         // [splits][m][n] s32 or f32 (row stride n)
};

// ---- epilogues -------------------------------------------------------------------------------------------
// Stores v0 at ptr[0] and, when `two`, v1 at ptr[1]; one vector store when the pair is aligned.
template <typename T, typename V2>
__device__ __forceinline__ void store_pair(T* ptr, T v0, T v1, bool two) {
  if (two && ((uintptr_t)ptr & (sizeof(V2) - 1)) == 0) {
    V2 v;
    static_assert(sizeof(V2) == 2 * sizeof(T), "pair type");
    memcpy(&v, &v0, sizeof(T));
    memcpy(reinterpret_cast<unsigned char*>(&v) + sizeof(T), &v1, sizeof(T));
    *reinterpret_cast<V2*>(ptr) = v;
  } else {
    ptr[0] = v0;
    if (two) ptr[1] = v1;
  }
}

// the CPU INT8 epilogue, operation for operation
__device__ __forceinline__ float dequant(const GemmParams& p, int row, int col, int acc) {
  const float s = __fmul_rn(p.a_scale[row], p.w_scale[col]);
  const float v = (float)acc;
  float y = (p.flags & DQW_EPI_BIAS) ? __fmaf_rn(v, s, p.bias[col]) : __fmul_rn(v, s);
  if (p.flags & DQW_EPI_GELU) y = gelu_erf(y);
  return y;
}
__device__ __forceinline__ float float_epi(const GemmParams& p, int col, float acc) {
  float y = acc;
  if (p.flags & DQW_EPI_BIAS) y = __fadd_rn(y, p.bias[col]);
  if (p.flags & DQW_EPI_GELU) y = gelu_erf(y);
  return y;
}

// Writes the values of (row, col) and, when `two`, (row, col + 1) in mode MODE. Acc: int or float.
template <int MODE, typename Acc>
__device__ __forceinline__ void epi_store(const GemmParams& p, int row, int col, Acc v0, Acc v1, bool two) {
  const int64_t off = (int64_t)row * p.ldy + col;
  if constexpr (MODE == kEpiPartial) {
    Acc* dst = static_cast<Acc*>(p.partial) + (int64_t)blockIdx.z * p.m * p.n + (int64_t)row * p.n + col;
    if constexpr (std::is_same<Acc, int>::value) store_pair<int, int2>(dst, v0, v1, two);
    else store_pair<float, float2>(dst, v0, v1, two);
  } else if constexpr (std::is_same<Acc, int>::value) {
    if constexpr (MODE == kEpiS32) {
      store_pair<int, int2>(static_cast<int*>(p.y) + off, v0, v1, two);
    } else {  // kEpiDequantF32
      const float y0 = dequant(p, row, col, v0), y1 = two ? dequant(p, row, col + 1, v1) : 0.0f;
      store_pair<float, float2>(static_cast<float*>(p.y) + off, y0, y1, two);
    }
  } else {
    const float y0 = float_epi(p, col, v0), y1 = two ? float_epi(p, col + 1, v1) : 0.0f;
    if constexpr (MODE == kEpiF32) {
      store_pair<float, float2>(static_cast<float*>(p.y) + off, y0, y1, two);
    } else if constexpr (MODE == kEpiF16) {
      store_pair<__half, __half2>(static_cast<__half*>(p.y) + off, __float2half_rn(y0), __float2half_rn(y1), two);
    } else {
      store_pair<__nv_bfloat16, __nv_bfloat162>(static_cast<__nv_bfloat16*>(p.y) + off, __float2bfloat16_rn(y0),
                                                __float2bfloat16_rn(y1), two);
    }
  }
}

// Calls f(std::integral_constant<int, mode>) for the runtime mode (only the modes valid for Acc).
template <typename Acc, typename F>
__device__ __forceinline__ void with_mode(int mode, F&& f) {
  if constexpr (std::is_same<Acc, int>::value) {
    if (mode == kEpiPartial) f(std::integral_constant<int, kEpiPartial>{});
    else if (mode == kEpiS32) f(std::integral_constant<int, kEpiS32>{});
    else f(std::integral_constant<int, kEpiDequantF32>{});
  } else {
    if (mode == kEpiPartial) f(std::integral_constant<int, kEpiPartial>{});
    else if (mode == kEpiF32) f(std::integral_constant<int, kEpiF32>{});
    else if (mode == kEpiF16) f(std::integral_constant<int, kEpiF16>{});
    else f(std::integral_constant<int, kEpiBF16>{});
  }
}

// ---- the GEMM kernel ----------------------------------------------------------------------------------
// Block tile BM x BN, WARPS_M x WARPS_N warps, each warp a (BM/WARPS_M) x (BN/WARPS_N) sub-tile made of
// 16 x 8 mma tiles; blockIdx.z = split-K index (K blocks [z * per, (z + 1) * per)).
template <class Op, int BM, int BN, int WARPS_M, int WARPS_N, int STAGES>
__global__ void __launch_bounds__(WARPS_M* WARPS_N * 32) gemm_mma_kernel(GemmParams p) {
  using Acc = typename Op::Acc;
  constexpr int kThreads = WARPS_M * WARPS_N * 32;
  constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
  constexpr int MI = WM / 16, NI = WN / 8;
  constexpr int kStageBytes = (BM + BN) * kStageKBytes;
  static_assert(WM % 16 == 0 && WN % 16 == 0, "warp tile: 16-row A fragments, B fragments in pairs");
  static_assert(STAGES >= 2, "pipeline");
  extern __shared__ __align__(128) unsigned char smem[];

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int ktiles = (p.k_bytes + kStageKBytes - 1) / kStageKBytes;
  const int kt_begin = blockIdx.z * p.ktiles_per_split;
  const int nk = max(0, min(ktiles, kt_begin + p.ktiles_per_split) - kt_begin);

  Acc acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int c = 0; c < 4; ++c) acc[i][j][c] = 0;

  // Stage K block kt of A (rows m0..m0+BM) and W (rows n0..n0+BN) into stage `stage`; bytes past K or
  // past the last row are zero. Chunk c of row r goes to chunk c ^ (r & 7) of smem row r. Thread tid
  // always copies chunk tid % 8 of rows tid / 8 + pass * kRowsPerPass; kRowsPerPass is a multiple of 8,
  // so its swizzled smem offset is the same in every pass (few registers for the addresses).
  constexpr int kRowsPerPass = kThreads / kRowChunks;
  constexpr int kPassesA = BM / kRowsPerPass, kPasses = (BM + BN) / kRowsPerPass;
  static_assert(kRowsPerPass % 8 == 0 && BM % kRowsPerPass == 0 && BN % kRowsPerPass == 0, "loader passes");
  const int ld_ch = tid % kRowChunks, ld_row = tid / kRowChunks;
  const int ld_dst = ld_row * kStageKBytes + ((ld_ch ^ (ld_row & 7)) << 4);
  const unsigned char* a_src = p.a + (int64_t)(m0 + ld_row) * p.lda_bytes + ld_ch * 16;
  const unsigned char* w_src = p.w + (int64_t)(n0 + ld_row) * p.ldw_bytes + ld_ch * 16;
  auto load_tile = [&](int stage, int kt) {
    unsigned char* s = smem + stage * kStageBytes + ld_dst;
    const int kbase = kt * kStageKBytes;
    const int kvalid = max(0, min(16, p.k_bytes - kbase - ld_ch * 16));
#pragma unroll
    for (int pass = 0; pass < kPasses; ++pass) {
      const bool is_a = pass < kPassesA;
      const int r = (is_a ? pass : pass - kPassesA) * kRowsPerPass;  // row offset from this thread's first row
      const bool row_ok = is_a ? m0 + ld_row + r < p.m : n0 + ld_row + r < p.n;
      const int valid = row_ok ? kvalid : 0;
      const unsigned char* src = is_a ? a_src + (int64_t)r * p.lda_bytes : w_src + (int64_t)r * p.ldw_bytes;
      unsigned char* dst = s + pass * kRowsPerPass * kStageKBytes;
      if (p.aligned) {
        cp_async16(dst, valid > 0 ? src + kbase : p.a, valid);  // zero-fills the 16 - valid bytes
      } else {
        uint32_t word[4] = {0u, 0u, 0u, 0u};  // little-endian: byte i of the chunk is byte i%4 of word i/4
        if (valid > 0) {
#pragma unroll
          for (int i = 0; i < 16; ++i)
            if (i < valid) word[i >> 2] |= (uint32_t)src[kbase + i] << (8 * (i & 3));
        }
        *reinterpret_cast<uint4*>(dst) = make_uint4(word[0], word[1], word[2], word[3]);
      }
    }
  };

  // Fragments (PTX ISA "matrix fragments for mma.m16n8k32 / m16n8k16"), g = lane/4, t = lane%4:
  //   A regs: 0 = (row g, k-bytes 4t..4t+3), 1 = (row g+8, same), 2 = (row g, 16+4t..), 3 = (row g+8, 16+4t..)
  //   B regs: 0 = (col g, k-bytes 4t..4t+3), 1 = (col g, 16+4t..)
  // ldmatrix.x4 for A: matrices = (rows 0-7, chunk c), (rows 8-15, c), (rows 0-7, c+1), (rows 8-15, c+1),
  // so lane l addresses row l & 15, chunk c + l / 16. For B (two 8-column tiles j, j+1): matrices =
  // (cols 0-7, c), (cols 0-7, c+1), (cols 8-15, c), (cols 8-15, c+1): lane l addresses row
  // (l & 7) + 8 (l / 16), chunk c + (l / 8) % 2. Every fragment row base is a multiple of 8, so the
  // swizzle term (row & 7) is lane & 7.
  const uint32_t smem_base = smem_addr(smem);
  const int a_row = wm * WM + (lane & 15);
  const int b_row = wn * WN + (lane & 7) + ((lane >> 4) << 3);
  const int a_chunk_hi = lane >> 4, b_chunk_hi = (lane >> 3) & 1, sw = lane & 7;
  auto compute_tile = [&](int stage) {
    const uint32_t sa = smem_base + stage * kStageBytes + a_row * kStageKBytes;
    const uint32_t sb = smem_base + stage * kStageBytes + (BM + b_row) * kStageKBytes;
#pragma unroll
    for (int ks = 0; ks < kStageKBytes / 32; ++ks) {
      uint32_t af[MI][4], bf[NI][2];
      const uint32_t a_off = (uint32_t)(((2 * ks + a_chunk_hi) ^ sw) << 4);
      const uint32_t b_off = (uint32_t)(((2 * ks + b_chunk_hi) ^ sw) << 4);
#pragma unroll
      for (int i = 0; i < MI; ++i) ldmatrix_x4(af[i], sa + i * 16 * kStageKBytes + a_off);
#pragma unroll
      for (int j = 0; j < NI; j += 2) {
        uint32_t r[4];
        ldmatrix_x4(r, sb + j * 8 * kStageKBytes + b_off);
        bf[j][0] = r[0];
        bf[j][1] = r[1];
        bf[j + 1][0] = r[2];
        bf[j + 1][1] = r[3];
      }
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j) Op::mma(acc[i][j], af[i], bf[j]);
    }
  };

  // Pipeline: STAGES-1 blocks in flight before the loop; at step it, block it is waited for, the
  // barrier also guarantees everyone finished step it-1, whose stage is then refilled with block
  // it+STAGES-1. Groups are committed even when empty so the wait count stays uniform.
#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < nk) load_tile(s, kt_begin + s);
    cp_async_commit();
  }
  for (int it = 0; it < nk; ++it) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    const int next = it + STAGES - 1;
    if (next < nk) load_tile(next % STAGES, kt_begin + next);
    cp_async_commit();
    compute_tile(it % STAGES);
  }
  cp_async_wait<0>();  // only empty groups remain; leave nothing in flight at exit

  // C fragment: regs 0,1 = (row g, cols 2t, 2t+1), regs 2,3 = (row g+8, same cols).
  const int g = lane >> 2, t = lane & 3;
  const int mode = p.splits > 1 ? (int)kEpiPartial : p.mode;
  with_mode<Acc>(mode, [&](auto mode_c) {
    constexpr int MODE = decltype(mode_c)::value;
#pragma unroll
    for (int i = 0; i < MI; ++i)
#pragma unroll
      for (int j = 0; j < NI; ++j)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          const int row = m0 + wm * WM + i * 16 + g + 8 * h;
          const int col = n0 + wn * WN + j * 8 + 2 * t;
          if (row < p.m && col < p.n)
            epi_store<MODE, Acc>(p, row, col, acc[i][j][2 * h], acc[i][j][2 * h + 1], col + 1 < p.n);
        }
  });
}

// Split-K: y = epilogue(sum over z = 0, 1, ... of partial[z]) (a fixed order: deterministic). Each
// thread takes 4 consecutive elements of the flat [m * n] result: 16-byte loads of every partial when
// m * n is a multiple of 4 (and the scratch buffer 16-byte aligned), and pair stores within a row.
template <typename Acc>
__global__ void splitk_reduce_kernel(GemmParams p) {
  using Vec = typename std::conditional<std::is_same<Acc, int>::value, int4, float4>::type;
  const int64_t total = (int64_t)p.m * p.n, quads = (total + 3) / 4;
  const Acc* part = static_cast<const Acc*>(p.partial);
  const bool vec = (total & 3) == 0 && ((uintptr_t)part & 15) == 0;
  for (int64_t q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; q < quads; q += (int64_t)gridDim.x * blockDim.x) {
    const int64_t base = 4 * q;
    Acc s[4] = {0, 0, 0, 0};
    if (vec) {
      for (int z = 0; z < p.splits; ++z) {
        const Vec v = reinterpret_cast<const Vec*>(part + z * total)[q];
        s[0] += v.x;
        s[1] += v.y;
        s[2] += v.z;
        s[3] += v.w;
      }
    } else {
#pragma unroll
      for (int e = 0; e < 4; ++e)
        if (base + e < total)
          for (int z = 0; z < p.splits; ++z) s[e] += part[z * total + base + e];
    }
    int row = (int)(base / p.n), col = (int)(base % p.n);
    with_mode<Acc>(p.mode, [&](auto mode_c) {
      constexpr int MODE = decltype(mode_c)::value;
      bool stored = false;  // element e was written with e - 1 as a pair
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        if (base + e >= total) break;
        if (!stored) {
          const bool two = e < 3 && base + e + 1 < total && col + 1 < p.n;
          epi_store<MODE, Acc>(p, row, col, s[e], s[e < 3 ? e + 1 : e], two);
          stored = two;
        } else {
          stored = false;
        }
        if (++col == p.n) {
          col = 0;
          ++row;
        }
      }
    });
  }
}

// ---- host side: tiles, configurations, launching ------------------------------------------------------
enum OpKind : int { kOpS8, kOpF16, kOpBF16 };
using LaunchFn = cudaError_t (*)(const GemmParams&, cudaStream_t);

template <class Op, int BM, int BN, int WARPS_M, int WARPS_N, int STAGES>
cudaError_t launch_tile(const GemmParams& p, cudaStream_t stream) {
  constexpr int kSmem = STAGES * (BM + BN) * kStageKBytes;
  static_assert(kSmem <= 96 * 1024, "fits every sm_80+ part (sm_86 / sm_89 allow 99 KB per block)");
  auto kernel = gemm_mma_kernel<Op, BM, BN, WARPS_M, WARPS_N, STAGES>;
  static std::atomic<uint64_t> opted_in{0};  // bit d: the > 48 KB attribute is set on device d
  int dev = 0;
  cudaError_t e = cudaGetDevice(&dev);
  if (e != cudaSuccess) return e;
  const uint64_t bit = dev < 64 ? (1ull << dev) : 0ull;
  if (kSmem > 48 * 1024 && (bit == 0 || !(opted_in.load() & bit))) {
    e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmem);
    if (e != cudaSuccess) return e;
    opted_in.fetch_or(bit);
  }
  const dim3 grid((p.n + BN - 1) / BN, (p.m + BM - 1) / BM, p.splits);
  kernel<<<grid, WARPS_M * WARPS_N * 32, kSmem, stream>>>(p);
  return cudaGetLastError();
}

struct Tile {
  const char* name;
  int bm, bn;
  LaunchFn launch[3];  // by OpKind
};
#define DQW_TILE(NAME, BM, BN, WMS, WNS, ST)                                                           \
  {NAME, BM, BN,                                                                                       \
   {launch_tile<MmaS8, BM, BN, WMS, WNS, ST>, launch_tile<MmaF16, BM, BN, WMS, WNS, ST>,               \
    launch_tile<MmaBF16, BM, BN, WMS, WNS, ST>}}
// warp tiles: 64x32 (8 warps), 64x64 (4 warps), 64x32, 32x64, 32x32; shared memory 96, 96, 96, 96, 64 KB
const Tile kTiles[] = {
    DQW_TILE("128x128", 128, 128, 2, 4, 3), DQW_TILE("128x128w4", 128, 128, 2, 2, 3),
    DQW_TILE("128x64", 128, 64, 2, 2, 4),   DQW_TILE("64x128", 64, 128, 2, 2, 4),
    DQW_TILE("64x64", 64, 64, 2, 2, 4),
};
#undef DQW_TILE
constexpr int kNumTiles = sizeof(kTiles) / sizeof(kTiles[0]);
constexpr int kMaxSplits = 4;
constexpr int kNumConfigs = kNumTiles * kMaxSplits;  // config index = tile * kMaxSplits + (splits - 1)
constexpr int64_t kMaxTunedWorkspace = 256LL << 20;  // the autotuner skips split-K needing more scratch
// Whether the autotuner may pick split-K for the FP16 / BF16 GEMM. Split-K changes the order of the FP32
// additions, so a half GEMM's bits could differ between processes whose timings pick different split
// counts (never within one process). Off: a transcript must not change between runs of the same program, so
// the tuner picks only among tiles for halves (same split count = same bits, whatever the tile); split-K
// stays available to INT8 (exact) and to a forced config (DQW_CUDA_GEMM_CONFIG, the benchmark's per-config map).
constexpr bool kTuneHalfSplitK = false;

const char* config_name(int index) {
  static const std::string* names = [] {
    auto* v = new std::string[kNumConfigs];
    for (int i = 0; i < kNumConfigs; ++i) {
      v[i] = kTiles[i / kMaxSplits].name;
      if (i % kMaxSplits) v[i] += "_splitk" + std::to_string(i % kMaxSplits + 1);
    }
    return v;
  }();
  return names[index].c_str();
}

int sm_count() {
  static std::atomic<int> cached[64];
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= 64) return 132;
  int n = cached[dev].load();
  if (n == 0) {
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) n = 132;
    cached[dev].store(n);
  }
  return n;
}

// Split count actually used for a requested one: K blocks per split = ceil(ktiles / want), so that no
// split is empty (e.g. 4 K blocks asked in 3 splits run as 2 splits of 2).
int effective_splits(const GemmParams& p, int want, int* per_split) {
  const int ktiles = (p.k_bytes + kStageKBytes - 1) / kStageKBytes;
  const int s = want < ktiles ? want : ktiles;
  const int per = (ktiles + s - 1) / s;
  *per_split = per;
  return (ktiles + per - 1) / per;
}

// A private stream-ordered memory pool per device for split-K partials: concurrent calls on different
// streams get different buffers, and freed memory stays in the pool (no cudaMalloc per call).
cudaError_t splitk_pool(cudaMemPool_t* out) {
  static std::mutex mu;
  static cudaMemPool_t pools[64] = {};
  int dev = 0;
  cudaError_t e = cudaGetDevice(&dev);
  if (e != cudaSuccess) return e;
  if (dev < 0 || dev >= 64) return cudaErrorInvalidDevice;
  std::lock_guard<std::mutex> lock(mu);
  if (!pools[dev]) {
    cudaMemPoolProps props;
    memset(&props, 0, sizeof(props));
    props.allocType = cudaMemAllocationTypePinned;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = dev;
    cudaMemPool_t pool = nullptr;
    e = cudaMemPoolCreate(&pool, &props);
    if (e != cudaSuccess) return e;
    uint64_t keep = UINT64_MAX;
    cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
    pools[dev] = pool;
  }
  *out = pools[dev];
  return cudaSuccess;
}

// Runs configuration `config` for operand kind `kind`; *used = index of the configuration that ran
// (the split count may be reduced, see effective_splits).
cudaError_t run_config(int config, int kind, GemmParams p, cudaStream_t stream, int* used) {
  const Tile& tile = kTiles[config / kMaxSplits];
  int per = 0;
  const int splits = effective_splits(p, config % kMaxSplits + 1, &per);
  *used = (config / kMaxSplits) * kMaxSplits + (splits - 1);
  p.ktiles_per_split = per;
  p.splits = splits;
  p.partial = nullptr;
  if (splits == 1) return tile.launch[kind](p, stream);
  cudaMemPool_t pool = nullptr;
  cudaError_t e = splitk_pool(&pool);
  if (e != cudaSuccess) return e;
  const size_t bytes = (size_t)splits * p.m * p.n * 4;
  e = cudaMallocFromPoolAsync(&p.partial, bytes, pool, stream);
  if (e != cudaSuccess) return e;
  e = tile.launch[kind](p, stream);
  if (e == cudaSuccess) {
    const int64_t quads = ((int64_t)p.m * p.n + 3) / 4;
    const unsigned blocks = blocks_for(quads, 256, 8LL * sm_count());
    if (kind == kOpS8) splitk_reduce_kernel<int><<<blocks, 256, 0, stream>>>(p);
    else splitk_reduce_kernel<float><<<blocks, 256, 0, stream>>>(p);
    e = cudaGetLastError();
  }
  const cudaError_t f = cudaFreeAsync(p.partial, stream);
  return e != cudaSuccess ? e : f;
}

// The choice without measurements (stream capture, or every timed run failed): 128 x 128 tiles when
// they alone fill the GPU, else 64 x 64 tiles (the previous kernel's rule).
int heuristic_config(const GemmParams& p) {
  const int64_t big_blocks = (int64_t)((p.m + 127) / 128) * ((p.n + 127) / 128);
  const int tile = big_blocks >= sm_count() ? 0 : kNumTiles - 1;
  return tile * kMaxSplits;
}

// ---- configuration choice: forced, or autotuned once per call shape --------------------------------------
constexpr int kForceUnread = -2, kForceNone = -1;
std::atomic<int> g_forced{kForceUnread};
thread_local int t_last_config = -1;

int config_index(const char* name) {
  for (int i = 0; i < kNumConfigs; ++i)
    if (strcmp(name, config_name(i)) == 0) return i;
  return -1;
}

int forced_config() {
  int f = g_forced.load();
  if (f == kForceUnread) {
    const char* env = getenv("DQW_CUDA_GEMM_CONFIG");
    int want = kForceNone;
    if (env && *env) {
      want = config_index(env);
      if (want < 0) {
        fprintf(stderr, "dqw: DQW_CUDA_GEMM_CONFIG=%s is not a GEMM configuration; autotuning instead\n", env);
        want = kForceNone;
      }
    }
    g_forced.compare_exchange_strong(f, want);  // a concurrent dqw_cuda_gemm_force_config wins
    f = g_forced.load();
  }
  return f;
}

struct TuneKey {
  int kind, mode, flags, m, n, k_bytes, aligned, device;
  bool operator<(const TuneKey& o) const {
    return std::tie(kind, mode, flags, m, n, k_bytes, aligned, device) <
           std::tie(o.kind, o.mode, o.flags, o.m, o.n, o.k_bytes, o.aligned, o.device);
  }
};
std::mutex g_tune_mu;
std::map<TuneKey, int> g_tuned;

// Times every distinct configuration on the caller's stream (their outputs are all the same GEMM, into
// the caller's y, so the call that follows overwrites them): one untimed round, then two rounds of
// kTuneRuns back-to-back runs each, interleaved across configurations against clock drift; the best
// mean wins. Host overheads (split-K's scratch allocation, second launch) count as they would in use.
int autotune(const GemmParams& p, int kind, cudaStream_t stream) {
  constexpr int kTuneRuns = 5;
  struct Candidate {
    int config;
    float best_ms;
  };
  Candidate cand[kNumConfigs];
  int n_cand = 0;
  for (int c = 0; c < kNumConfigs; ++c) {
    int per = 0;
    const int splits = effective_splits(p, c % kMaxSplits + 1, &per);
    if (splits != c % kMaxSplits + 1) continue;  // the same as a smaller split count
    if (splits > 1 && (int64_t)splits * p.m * p.n * 4 > kMaxTunedWorkspace) continue;
    if (splits > 1 && kind != kOpS8 && !kTuneHalfSplitK) continue;
    cand[n_cand++] = {c, 3.4e38f};
  }
  cudaEvent_t e0 = nullptr, e1 = nullptr;
  if (cudaEventCreate(&e0) != cudaSuccess || cudaEventCreate(&e1) != cudaSuccess) {
    if (e0) cudaEventDestroy(e0);
    cudaGetLastError();
    return heuristic_config(p);
  }
  int used = 0;
  for (int i = 0; i < n_cand; ++i)
    if (run_config(cand[i].config, kind, p, stream, &used) != cudaSuccess) {
      cudaGetLastError();
      cand[i].best_ms = -1.0f;  // not runnable here (e.g. no memory pools): never chosen
    }
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < n_cand; ++i) {
      if (cand[i].best_ms < 0.0f) continue;
      bool ok = cudaEventRecord(e0, stream) == cudaSuccess;
      for (int r = 0; r < kTuneRuns && ok; ++r) ok = run_config(cand[i].config, kind, p, stream, &used) == cudaSuccess;
      ok = ok && cudaEventRecord(e1, stream) == cudaSuccess && cudaEventSynchronize(e1) == cudaSuccess;
      float ms = 0.0f;
      ok = ok && cudaEventElapsedTime(&ms, e0, e1) == cudaSuccess;
      if (!ok) {
        cudaGetLastError();
        cand[i].best_ms = -1.0f;
        continue;
      }
      if (ms / kTuneRuns < cand[i].best_ms) cand[i].best_ms = ms / kTuneRuns;
    }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  int best = -1;
  for (int i = 0; i < n_cand; ++i)
    if (cand[i].best_ms >= 0.0f && (best < 0 || cand[i].best_ms < cand[best].best_ms)) best = i;
  return best < 0 ? heuristic_config(p) : cand[best].config;
}

int choose_config(const GemmParams& p, int kind, cudaStream_t stream) {
  const int forced = forced_config();
  if (forced >= 0) return forced;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess || capture != cudaStreamCaptureStatusNone) {
    cudaGetLastError();
    return heuristic_config(p);  // no timing (or synchronizing) inside a graph capture
  }
  TuneKey key{kind, p.mode, p.flags, p.m, p.n, p.k_bytes, p.aligned ? 1 : 0, 0};
  if (cudaGetDevice(&key.device) != cudaSuccess) return heuristic_config(p);
  {
    std::lock_guard<std::mutex> lock(g_tune_mu);
    auto it = g_tuned.find(key);
    if (it != g_tuned.end()) return it->second;
  }
  const int best = autotune(p, kind, stream);  // outside the lock: a concurrent tuning of the same key is harmless
  std::lock_guard<std::mutex> lock(g_tune_mu);
  g_tuned.emplace(key, best);
  return best;
}

int32_t launch_gemm(const GemmParams& p, int kind, cudaStream_t stream) {
  const int config = choose_config(p, kind, stream);
  int used = config;
  const cudaError_t e = run_config(config, kind, p, stream, &used);
  if (e == cudaSuccess) t_last_config = used;
  return (int32_t)e;
}

bool aligned16(const void* ptr) { return ((uintptr_t)ptr & 15u) == 0; }

// Common argument checks; fills the operand part of p. Returns 0 or cudaErrorInvalidValue.
int32_t prepare(GemmParams& p, const void* a, int64_t lda, const void* w, int64_t ldw, void* y, int64_t ldy,
                int32_t m, int32_t n, int32_t k, int elem_bytes) {
  if (!a || !w || !y || m < 1 || n < 1 || k < 1 || lda < k || ldw < k || ldy < n) return kInvalid;
  if ((int64_t)m > 65535LL * 64) return kInvalid;  // grid.y limit with 64-row tiles
  if ((int64_t)k * elem_bytes > 2147483647LL - 256) return kInvalid;  // K offsets in bytes are int
  p.a = static_cast<const unsigned char*>(a);
  p.w = static_cast<const unsigned char*>(w);
  p.lda_bytes = lda * elem_bytes;
  p.ldw_bytes = ldw * elem_bytes;
  p.m = m;
  p.n = n;
  p.k_bytes = k * elem_bytes;
  p.aligned = aligned16(a) && aligned16(w) && p.lda_bytes % 16 == 0 && p.ldw_bytes % 16 == 0;
  p.y = y;
  p.ldy = ldy;
  p.a_scale = p.w_scale = p.bias = nullptr;
  p.flags = 0;
  p.mode = kEpiS32;
  p.ktiles_per_split = 0;
  p.splits = 1;
  p.partial = nullptr;
  return 0;
}

// ---- per-row activation quantization -------------------------------------------------------------------
__global__ void quantize_rows_kernel(const float* x, int64_t ldx, int k, int8_t* q, int64_t ldq, float* scale) {
  __shared__ float scratch[32];
  const int64_t row = blockIdx.x;
  const float* xr = x + row * ldx;
  float amax = 0.0f;
  for (int i = threadIdx.x; i < k; i += blockDim.x) amax = fmaxf(amax, fabsf(xr[i]));
  amax = block_max(amax, scratch);
  const float inv = __fdiv_rn(127.0f, amax);
  const bool finite = inv <= 3.402823466e38f;  // false for +inf (all-zero row) and NaN
  int8_t* qr = q + row * ldq;
  for (int i = threadIdx.x; i < k; i += blockDim.x) {
    float v = finite ? rintf(__fmul_rn(xr[i], inv)) : 0.0f;
    v = fminf(fmaxf(v, -127.0f), 127.0f);
    qr[i] = (int8_t)(int)v;
  }
  if (threadIdx.x == 0) scale[row] = finite ? __fdiv_rn(amax, 127.0f) : 0.0f;
}

}  // namespace

extern "C" {

DQW_API int32_t dqw_cuda_quantize_rows_s8(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq,
                                          float* scale, void* stream) {
  if (!x || !q || !scale || m < 0 || k < 1 || ldx < k || ldq < k || m > 2147483647) return kInvalid;
  if (m == 0) return 0;
  quantize_rows_kernel<<<m, 256, 0, as_stream(stream)>>>(x, ldx, k, q, ldq, scale);
  return launch_status();
}

DQW_API int32_t dqw_cuda_gemm_s8_s32(const int8_t* a, int64_t lda, const int8_t* w, int64_t ldw, int32_t* c,
                                     int64_t ldc, int32_t m, int32_t n, int32_t k, void* stream) {
  GemmParams p;
  if (k > DQW_CUDA_INT8_MAX_K || prepare(p, a, lda, w, ldw, c, ldc, m, n, k, 1) != 0) return kInvalid;
  p.mode = kEpiS32;
  return launch_gemm(p, kOpS8, as_stream(stream));
}

DQW_API int32_t dqw_cuda_gemm_s8_f32(const int8_t* a, int64_t lda, const float* a_scale, const int8_t* w,
                                     int64_t ldw, const float* w_scale, const float* bias, float* y, int64_t ldy,
                                     int32_t m, int32_t n, int32_t k, int32_t flags, void* stream) {
  GemmParams p;
  if (k > DQW_CUDA_INT8_MAX_K || prepare(p, a, lda, w, ldw, y, ldy, m, n, k, 1) != 0) return kInvalid;
  if (!a_scale || !w_scale || ((flags & DQW_EPI_BIAS) && !bias)) return kInvalid;
  p.a_scale = a_scale;
  p.w_scale = w_scale;
  p.bias = bias;
  p.flags = flags;
  p.mode = kEpiDequantF32;
  return launch_gemm(p, kOpS8, as_stream(stream));
}

DQW_API int32_t dqw_cuda_gemm_half(int32_t dtype, const void* a, int64_t lda, const void* w, int64_t ldw,
                                   const float* bias, void* y, int64_t ldy, int32_t y_dtype, int32_t m, int32_t n,
                                   int32_t k, int32_t flags, void* stream) {
  GemmParams p;
  if (!is_half_dtype(dtype) || (y_dtype != DQW_CUDA_F32 && y_dtype != dtype)) return kInvalid;
  if (prepare(p, a, lda, w, ldw, y, ldy, m, n, k, 2) != 0 || ((flags & DQW_EPI_BIAS) && !bias)) return kInvalid;
  p.bias = bias;
  p.flags = flags;
  p.mode = y_dtype == DQW_CUDA_F32 ? kEpiF32 : y_dtype == DQW_CUDA_F16 ? kEpiF16 : kEpiBF16;
  return launch_gemm(p, dtype == DQW_CUDA_F16 ? kOpF16 : kOpBF16, as_stream(stream));
}

DQW_API int32_t dqw_cuda_gemm_config_count(void) { return kNumConfigs; }

DQW_API const char* dqw_cuda_gemm_config_name(int32_t index) {
  return index >= 0 && index < kNumConfigs ? config_name(index) : nullptr;
}

DQW_API int32_t dqw_cuda_gemm_force_config(const char* name) {
  if (!name || !*name) {
    g_forced.store(kForceNone);
    return 0;
  }
  const int i = config_index(name);
  if (i < 0) return kInvalid;
  g_forced.store(i);
  return 0;
}

DQW_API const char* dqw_cuda_gemm_last_config(void) { return t_last_config < 0 ? "" : config_name(t_last_config); }

}  // extern "C"
