// Tensor-core GEMMs Y[M,N] = A[M,K] . W[N,K]^T with mma.sync (sm_80+):
//   INT8: m16n8k32 s8 x s8 -> s32 (exact), epilogue: raw s32, or dequantize (+bias) (->GELU) to F32;
//   FP16 / BF16: m16n8k16 -> f32, epilogue (+bias) (->GELU) to F32 or the input type.
// Both share one kernel: A and W tiles are staged in shared memory as rows of 64 bytes of K
// (64 s8 or 32 halves) with cp.async double buffering, and the fragment registers of the two
// instruction shapes sit at identical byte offsets (see compute_tile). K tails and row tails are
// zero-filled, so any M, N, K >= 1 works; unaligned rows fall back to a byte-wise tile loader.
#include "common.cuh"
#include "mma.cuh"

namespace {
using namespace dqw_cuda;

constexpr int kTileKBytes = 64;                    // bytes of K per pipeline stage
constexpr int kSmemRowBytes = kTileKBytes + 16;    // 80: conflict-free 32-bit fragment loads

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
};

// ---- epilogues: acc of element (row, col) -> y ----------------------------------------------------------
struct EpiS32 {
  __device__ static void store(const GemmParams& p, int row, int col, int acc) {
    static_cast<int32_t*>(p.y)[(int64_t)row * p.ldy + col] = acc;
  }
};
struct EpiDequantF32 {  // the CPU INT8 epilogue, operation for operation
  __device__ static void store(const GemmParams& p, int row, int col, int acc) {
    const float s = __fmul_rn(p.a_scale[row], p.w_scale[col]);
    const float v = (float)acc;
    float y = (p.flags & DQW_EPI_BIAS) ? __fmaf_rn(v, s, p.bias[col]) : __fmul_rn(v, s);
    if (p.flags & DQW_EPI_GELU) y = gelu_erf(y);
    static_cast<float*>(p.y)[(int64_t)row * p.ldy + col] = y;
  }
};
template <typename OutT>
struct EpiFloat {
  __device__ static void store(const GemmParams& p, int row, int col, float acc) {
    float y = acc;
    if (p.flags & DQW_EPI_BIAS) y = __fadd_rn(y, p.bias[col]);
    if (p.flags & DQW_EPI_GELU) y = gelu_erf(y);
    static_cast<OutT*>(p.y)[(int64_t)row * p.ldy + col] = from_float<OutT>(y);
  }
};

// Block tile BM x BN, WARPS_M x WARPS_N warps, each warp a (BM/WARPS_M) x (BN/WARPS_N) sub-tile made
// of 16 x 8 mma tiles.
template <class Op, class Epi, int BM, int BN, int WARPS_M, int WARPS_N>
__global__ void __launch_bounds__(WARPS_M* WARPS_N * 32) gemm_mma_kernel(GemmParams p) {
  constexpr int kThreads = WARPS_M * WARPS_N * 32;
  constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
  constexpr int MI = WM / 16, NI = WN / 8;
  constexpr int kChunksPerRow = kTileKBytes / 16;
  static_assert(WM % 16 == 0 && WN % 8 == 0, "warp tile");
  __shared__ __align__(16) unsigned char smem[2][(BM + BN) * kSmemRowBytes];

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N;
  const int g = lane >> 2, t = lane & 3;
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  const int ktiles = (p.k_bytes + kTileKBytes - 1) / kTileKBytes;

  typename Op::Acc acc[MI][NI][4];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int c = 0; c < 4; ++c) acc[i][j][c] = 0;

  // Stage tile kt of A (rows m0..m0+BM) and W (rows n0..n0+BN) into smem[stage]; bytes past K or past
  // the last row are zero (a zero s8 / +0.0 half contributes nothing to the dot products).
  auto load_tile = [&](int stage, int kt) {
    unsigned char* s = smem[stage];
    const int kbase = kt * kTileKBytes;
    for (int c = tid; c < (BM + BN) * kChunksPerRow; c += kThreads) {
      const int row = c / kChunksPerRow, ch = c % kChunksPerRow;
      const bool is_a = row < BM;
      const int grow = is_a ? m0 + row : n0 + (row - BM);
      const int lim = is_a ? p.m : p.n;
      const unsigned char* base = is_a ? p.a : p.w;
      const int64_t ld = is_a ? p.lda_bytes : p.ldw_bytes;
      const int kof = kbase + ch * 16;
      const int valid = grow < lim ? max(0, min(16, p.k_bytes - kof)) : 0;
      unsigned char* dst = s + row * kSmemRowBytes + ch * 16;
      if (p.aligned) {
        cp_async16(dst, valid > 0 ? base + (int64_t)grow * ld + kof : base, valid);
      } else {
        uint32_t word[4] = {0u, 0u, 0u, 0u};  // little-endian: byte i of the chunk is byte i%4 of word i/4
        if (valid > 0) {
          const unsigned char* src = base + (int64_t)grow * ld + kof;
#pragma unroll
          for (int i = 0; i < 16; ++i)
            if (i < valid) word[i >> 2] |= (uint32_t)src[i] << (8 * (i & 3));
        }
        *reinterpret_cast<uint4*>(dst) = make_uint4(word[0], word[1], word[2], word[3]);
      }
    }
  };

  // Fragments (PTX ISA "matrix fragments for mma.m16n8k32 / m16n8k16"), g = lane/4, t = lane%4:
  //   A regs: 0 = (row g, k-bytes 4t..4t+3), 1 = (row g+8, same), 2 = (row g, 16+4t..), 3 = (row g+8, 16+4t..)
  //   B regs: 0 = (col g, k-bytes 4t..4t+3), 1 = (col g, 16+4t..)
  // For s8 a k-step is 32 elements = 32 bytes; for halves 16 elements = 32 bytes, and element pair
  // (2t, 2t+1) / (2t+8, 2t+9) sits at bytes 4t / 16+4t: the same offsets.
  auto compute_tile = [&](const unsigned char* s) {
    const unsigned char* As = s;
    const unsigned char* Ws = s + BM * kSmemRowBytes;
#pragma unroll
    for (int ks = 0; ks < kTileKBytes; ks += 32) {
      uint32_t af[MI][4], bf[NI][2];
#pragma unroll
      for (int i = 0; i < MI; ++i) {
        const unsigned char* r = As + (wm * WM + i * 16 + g) * kSmemRowBytes + ks + 4 * t;
        af[i][0] = lds32(r);
        af[i][1] = lds32(r + 8 * kSmemRowBytes);
        af[i][2] = lds32(r + 16);
        af[i][3] = lds32(r + 8 * kSmemRowBytes + 16);
      }
#pragma unroll
      for (int j = 0; j < NI; ++j) {
        const unsigned char* r = Ws + (wn * WN + j * 8 + g) * kSmemRowBytes + ks + 4 * t;
        bf[j][0] = lds32(r);
        bf[j][1] = lds32(r + 16);
      }
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j) Op::mma(acc[i][j], af[i], bf[j]);
    }
  };

  load_tile(0, 0);
  cp_async_commit();
  for (int kt = 0; kt < ktiles; ++kt) {
    if (kt + 1 < ktiles) load_tile((kt + 1) & 1, kt + 1);
    cp_async_commit();     // possibly empty group: keeps the wait count uniform
    cp_async_wait_one();   // tile kt has landed (only tile kt+1 may still be in flight)
    __syncthreads();
    compute_tile(smem[kt & 1]);
    __syncthreads();       // everyone is done reading this stage before it is refilled
  }

  // C fragment: regs 0,1 = (row g, cols 2t, 2t+1), regs 2,3 = (row g+8, same cols).
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NI; ++j)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int row = m0 + wm * WM + i * 16 + g + 8 * h;
        const int col = n0 + wn * WN + j * 8 + 2 * t;
        if (row < p.m) {
          if (col < p.n) Epi::store(p, row, col, acc[i][j][2 * h]);
          if (col + 1 < p.n) Epi::store(p, row, col + 1, acc[i][j][2 * h + 1]);
        }
      }
}

int sm_count() {
  static int cached[64] = {0};
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || dev < 0 || dev >= 64) return 132;
  if (cached[dev] == 0) {
    int n = 0;
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n <= 0) n = 132;
    cached[dev] = n;
  }
  return cached[dev];
}

// Large tiles (128 x 128, 8 warps) when they alone fill the GPU, else 64 x 64 tiles (4 warps).
template <class Op, class Epi>
int32_t launch_gemm(const GemmParams& p, cudaStream_t stream) {
  const int64_t big_blocks = (int64_t)((p.m + 127) / 128) * ((p.n + 127) / 128);
  if (big_blocks >= sm_count()) {
    dim3 grid((p.n + 127) / 128, (p.m + 127) / 128);
    gemm_mma_kernel<Op, Epi, 128, 128, 2, 4><<<grid, 256, 0, stream>>>(p);
  } else {
    dim3 grid((p.n + 63) / 64, (p.m + 63) / 64);
    gemm_mma_kernel<Op, Epi, 64, 64, 2, 2><<<grid, 128, 0, stream>>>(p);
  }
  return launch_status();
}

bool aligned16(const void* ptr) { return ((uintptr_t)ptr & 15u) == 0; }

// Common argument checks; fills the operand part of p. Returns 0 or cudaErrorInvalidValue.
int32_t prepare(GemmParams& p, const void* a, int64_t lda, const void* w, int64_t ldw, void* y, int64_t ldy,
                int32_t m, int32_t n, int32_t k, int elem_bytes) {
  if (!a || !w || !y || m < 1 || n < 1 || k < 1 || lda < k || ldw < k || ldy < n) return kInvalid;
  if ((int64_t)m > 65535LL * 64) return kInvalid;  // grid.y limit with 64-row tiles
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
  return launch_gemm<MmaS8, EpiS32>(p, as_stream(stream));
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
  return launch_gemm<MmaS8, EpiDequantF32>(p, as_stream(stream));
}

DQW_API int32_t dqw_cuda_gemm_half(int32_t dtype, const void* a, int64_t lda, const void* w, int64_t ldw,
                                   const float* bias, void* y, int64_t ldy, int32_t y_dtype, int32_t m, int32_t n,
                                   int32_t k, int32_t flags, void* stream) {
  GemmParams p;
  if (!is_half_dtype(dtype) || (y_dtype != DQW_CUDA_F32 && y_dtype != dtype)) return kInvalid;
  if (prepare(p, a, lda, w, ldw, y, ldy, m, n, k, 2) != 0 || ((flags & DQW_EPI_BIAS) && !bias)) return kInvalid;
  p.bias = bias;
  p.flags = flags;
  cudaStream_t s = as_stream(stream);
  if (dtype == DQW_CUDA_F16) {
    return y_dtype == DQW_CUDA_F32 ? launch_gemm<MmaF16, EpiFloat<float>>(p, s) : launch_gemm<MmaF16, EpiFloat<__half>>(p, s);
  }
  return y_dtype == DQW_CUDA_F32 ? launch_gemm<MmaBF16, EpiFloat<float>>(p, s)
                                 : launch_gemm<MmaBF16, EpiFloat<__nv_bfloat16>>(p, s);
}

}  // extern "C"
