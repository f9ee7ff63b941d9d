// Attention forward / backward (see dqw/cuda_kernels.h for shapes and masking).
//  - flash_fwd_d64: FP16/BF16, head dim 64, tensor cores (mma.sync m16n8k16), online softmax in
//    FP32, 64 queries x 64 keys per step, 4 warps each owning 16 query rows.
//  - generic forward (any Dh <= 128, F32/F16/BF16 input, FP32 math on CUDA cores): one warp per query,
//    key tiles of 32 in shared memory, lane l scores key l.
//  - backward (FP32 math): D = rowsum(dO * O), then dQ per query row and dK/dV per key row (no atomics).
//  - naive: materialized scores [B,H,Tq,Tk], in-place softmax, P.V (the benchmark baseline).
#include "common.cuh"
#include "mma.cuh"

namespace {
using namespace dqw_cuda;

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
constexpr int kMaxHeadDim = 128;

struct AttnParams {
  const void* q;
  const void* k;
  const void* v;
  void* out;
  float* lse;
  int64_t B, Bk, Tq, Tk, H, D, off;  // off < 0: no causal mask
  float scale;                       // 1 / sqrt(D)
};

// element offset of (batch b, position i, head h, dim 0) in a [*, T, H*D] tensor
__device__ __forceinline__ int64_t row_offset(int64_t b, int64_t T, int64_t i, int64_t H, int64_t h, int64_t D) {
  return ((b * T + i) * H + h) * D;
}
__device__ __forceinline__ bool visible(int64_t i, int64_t j, int64_t Tk, int64_t off) {
  return j < Tk && (off < 0 || j <= off + i);
}
// keys [0, kv_end) can be visible to queries [q0, q1)
__device__ __forceinline__ int64_t kv_end_for(int64_t q1, int64_t Tk, int64_t off) {
  return off < 0 ? Tk : min(Tk, off + q1);
}

// ============================== tensor-core forward, head dim 64 ======================================
template <typename T, class Op>
__global__ void __launch_bounds__(128) flash_fwd_d64_kernel(AttnParams p) {
  constexpr int D = 64, BQ = 64, BKV = 64, LD = D + 8, LDV = BKV + 8;  // strides: 144 bytes, conflict-free
  __shared__ __align__(16) T Qs[BQ * LD];
  __shared__ __align__(16) T Ks[BKV * LD];
  __shared__ __align__(16) T Vt[D * LDV];  // V transposed: Vt[d][key]

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, g = lane >> 2, t = lane & 3;
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = (int64_t)blockIdx.x * BQ;
  const int64_t bk = p.Bk == 1 ? 0 : b;
  const int64_t rs = p.H * D;  // row stride in elements
  const T* qbase = static_cast<const T*>(p.q) + row_offset(b, p.Tq, 0, p.H, h, D);
  const T* kbase = static_cast<const T*>(p.k) + row_offset(bk, p.Tk, 0, p.H, h, D);
  const T* vbase = static_cast<const T*>(p.v) + row_offset(bk, p.Tk, 0, p.H, h, D);
  const uint4 zero4 = make_uint4(0u, 0u, 0u, 0u);

  for (int c = tid; c < BQ * 8; c += 128) {  // 8 chunks of 8 elements per row
    const int r = c >> 3, ch = c & 7;
    uint4 val = zero4;
    if (q0 + r < p.Tq) val = *reinterpret_cast<const uint4*>(qbase + (q0 + r) * rs + ch * 8);
    *reinterpret_cast<uint4*>(&Qs[r * LD + ch * 8]) = val;
  }
  __syncthreads();
  uint32_t qf[4][4];  // A fragments of this warp's 16 query rows, 4 k-steps of 16 dims
  {
    const unsigned char* base = reinterpret_cast<const unsigned char*>(&Qs[(warp * 16 + g) * LD + 2 * t]);
#pragma unroll
    for (int kk = 0; kk < 4; ++kk) {
      const unsigned char* r = base + kk * 32;
      qf[kk][0] = lds32(r);
      qf[kk][1] = lds32(r + 8 * LD * 2);
      qf[kk][2] = lds32(r + 16);
      qf[kk][3] = lds32(r + 8 * LD * 2 + 16);
    }
  }

  float o[8][4];
#pragma unroll
  for (int i = 0; i < 8; ++i)
#pragma unroll
    for (int c = 0; c < 4; ++c) o[i][c] = 0.0f;
  float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.0f, 0.0f};
  const int64_t qi[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
  const float sl2 = p.scale * kLog2e;
  const int64_t kv_end = kv_end_for(min(q0 + BQ, p.Tq), p.Tk, p.off);

  for (int64_t kv0 = 0; kv0 < kv_end; kv0 += BKV) {
    __syncthreads();  // the previous tile is no longer read
    for (int c = tid; c < BKV * 8; c += 128) {
      const int r = c >> 3, ch = c & 7;
      uint4 kval = zero4, vval = zero4;
      if (kv0 + r < p.Tk) {
        kval = *reinterpret_cast<const uint4*>(kbase + (kv0 + r) * rs + ch * 8);
        vval = *reinterpret_cast<const uint4*>(vbase + (kv0 + r) * rs + ch * 8);
      }
      *reinterpret_cast<uint4*>(&Ks[r * LD + ch * 8]) = kval;
      const T* ve = reinterpret_cast<const T*>(&vval);
#pragma unroll
      for (int e = 0; e < 8; ++e) Vt[(ch * 8 + e) * LDV + r] = ve[e];
    }
    __syncthreads();

    // S = Q K^T for 16 rows x 64 keys (8 n-tiles of 8 keys)
    float s[8][4];
#pragma unroll
    for (int ni = 0; ni < 8; ++ni) {
#pragma unroll
      for (int c = 0; c < 4; ++c) s[ni][c] = 0.0f;
      const unsigned char* kr = reinterpret_cast<const unsigned char*>(&Ks[(ni * 8 + g) * LD + 2 * t]);
#pragma unroll
      for (int kk = 0; kk < 4; ++kk) {
        const uint32_t bf[2] = {lds32(kr + kk * 32), lds32(kr + kk * 32 + 16)};
        Op::mma(s[ni], qf[kk], bf);
      }
    }
    // scale into log2 units, mask, online softmax (rows g and g+8; a row is spread over the 4 lanes of a quad)
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float mx = -INFINITY;
#pragma unroll
      for (int ni = 0; ni < 8; ++ni)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int64_t j = kv0 + ni * 8 + 2 * t + e;
          float x = visible(qi[r], j, p.Tk, p.off) ? s[ni][2 * r + e] * sl2 : -INFINITY;
          s[ni][2 * r + e] = x;
          mx = fmaxf(mx, x);
        }
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float mnew = fmaxf(mrow[r], mx);
      const float muse = mnew == -INFINITY ? 0.0f : mnew;  // a fully masked row stays at p = 0
      const float alpha = exp2f(mrow[r] - muse);
      mrow[r] = mnew;
      float sum = 0.0f;
#pragma unroll
      for (int ni = 0; ni < 8; ++ni)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const float pv = exp2f(s[ni][2 * r + e] - muse);
          s[ni][2 * r + e] = pv;
          sum += pv;
        }
      lrow[r] = lrow[r] * alpha + sum;  // per-lane partial; the quad is summed at the end
#pragma unroll
      for (int nd = 0; nd < 8; ++nd) {
        o[nd][2 * r] *= alpha;
        o[nd][2 * r + 1] *= alpha;
      }
    }
    // O += P V: the S accumulators of key tiles 2j, 2j+1 are exactly the A fragment of k-step j
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const uint32_t pa[4] = {pack2<T>(s[2 * j][0], s[2 * j][1]), pack2<T>(s[2 * j][2], s[2 * j][3]),
                              pack2<T>(s[2 * j + 1][0], s[2 * j + 1][1]), pack2<T>(s[2 * j + 1][2], s[2 * j + 1][3])};
#pragma unroll
      for (int nd = 0; nd < 8; ++nd) {
        const unsigned char* vr = reinterpret_cast<const unsigned char*>(&Vt[(nd * 8 + g) * LDV + j * 16 + 2 * t]);
        const uint32_t bf[2] = {lds32(vr), lds32(vr + 16)};
        Op::mma(o[nd], pa, bf);
      }
    }
  }

  T* obase = static_cast<T*>(p.out) + row_offset(b, p.Tq, 0, p.H, h, D);
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float l = lrow[r];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    if (qi[r] >= p.Tq) continue;
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    T* orow = obase + qi[r] * rs;
#pragma unroll
    for (int nd = 0; nd < 8; ++nd)
      *reinterpret_cast<uint32_t*>(&orow[nd * 8 + 2 * t]) = pack2<T>(o[nd][2 * r] * inv, o[nd][2 * r + 1] * inv);
    if (t == 0 && p.lse)
      p.lse[(b * p.H + h) * p.Tq + qi[r]] = l > 0.0f ? mrow[r] * kLn2 + logf(l) : -INFINITY;
  }
}

// ============================== generic forward (CUDA cores) ==========================================
constexpr int kGenWarps = 8;  // query rows per block
constexpr int kGenKeys = 32;  // keys per shared-memory tile

template <typename T>
__global__ void __launch_bounds__(kGenWarps * 32) attn_fwd_generic_kernel(AttnParams p) {
  __shared__ float Qs[kGenWarps][kMaxHeadDim];
  __shared__ float Ks[kGenKeys][kMaxHeadDim + 1];
  __shared__ float Vs[kGenKeys][kMaxHeadDim];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int D = (int)p.D;
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = (int64_t)blockIdx.x * kGenWarps, i = q0 + warp;
  const int64_t bk = p.Bk == 1 ? 0 : b;
  const T* q = static_cast<const T*>(p.q);
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);
  for (int d = lane; d < D; d += 32) Qs[warp][d] = i < p.Tq ? to_float(q[row_offset(b, p.Tq, i, p.H, h, D) + d]) : 0.0f;

  float o[kMaxHeadDim / 32] = {0.0f, 0.0f, 0.0f, 0.0f};
  float m = -INFINITY, l = 0.0f;
  const int64_t kv_end = kv_end_for(min(q0 + kGenWarps, p.Tq), p.Tk, p.off);
  for (int64_t kv0 = 0; kv0 < kv_end; kv0 += kGenKeys) {
    __syncthreads();
    for (int c = threadIdx.x; c < kGenKeys * D; c += blockDim.x) {
      const int r = c / D, d = c % D;
      const int64_t j = kv0 + r;
      float kv = 0.0f, vv = 0.0f;
      if (j < p.Tk) {
        kv = to_float(k[row_offset(bk, p.Tk, j, p.H, h, D) + d]);
        vv = to_float(v[row_offset(bk, p.Tk, j, p.H, h, D) + d]);
      }
      Ks[r][d] = kv;
      Vs[r][d] = vv;
    }
    __syncthreads();
    const int64_t j = kv0 + lane;
    float s = 0.0f;
    for (int d = 0; d < D; ++d) s = fmaf(Qs[warp][d], Ks[lane][d], s);
    s = (i < p.Tq && visible(i, j, p.Tk, p.off)) ? s * p.scale : -INFINITY;
    const float mnew = fmaxf(m, warp_max(s));
    const float muse = mnew == -INFINITY ? 0.0f : mnew;
    const float alpha = expf(m - muse);
    const float pj = expf(s - muse);
    l = l * alpha + warp_sum(pj);
    m = mnew;
#pragma unroll
    for (int c = 0; c < kMaxHeadDim / 32; ++c) o[c] *= alpha;
    for (int jj = 0; jj < kGenKeys; ++jj) {
      const float pb = __shfl_sync(0xffffffffu, pj, jj);
#pragma unroll
      for (int c = 0; c < kMaxHeadDim / 32; ++c) {
        const int d = lane + 32 * c;
        if (d < D) o[c] = fmaf(pb, Vs[jj][d], o[c]);
      }
    }
  }
  if (i >= p.Tq) return;
  const float inv = l > 0.0f ? 1.0f / l : 0.0f;
  T* out = static_cast<T*>(p.out) + row_offset(b, p.Tq, i, p.H, h, D);
#pragma unroll
  for (int c = 0; c < kMaxHeadDim / 32; ++c) {
    const int d = lane + 32 * c;
    if (d < D) out[d] = from_float<T>(o[c] * inv);
  }
  if (lane == 0 && p.lse) p.lse[(b * p.H + h) * p.Tq + i] = l > 0.0f ? m + logf(l) : -INFINITY;
}

// ============================== backward (CUDA cores) ==================================================
struct AttnGrad {
  AttnParams f;  // q, k, v, out, lse (read-only here)
  const void* dout;
  float* dq;
  float* dk;
  float* dv;
  float* rowdot;  // [B,H,Tq] = sum_d dout * out
};

template <typename T>
__global__ void attn_rowdot_kernel(AttnGrad a) {
  const int lane = threadIdx.x & 31;
  const int64_t row = (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);  // (b, i, h) flattened
  const AttnParams& p = a.f;
  if (row >= p.B * p.Tq * p.H) return;
  const int64_t h = row % p.H, i = (row / p.H) % p.Tq, b = row / (p.H * p.Tq);
  const T* o = static_cast<const T*>(p.out) + row * p.D;
  const T* d = static_cast<const T*>(a.dout) + row * p.D;
  float s = 0.0f;
  for (int e = lane; e < p.D; e += 32) s = fmaf(to_float(o[e]), to_float(d[e]), s);
  s = warp_sum(s);
  if (lane == 0) a.rowdot[(b * p.H + h) * p.Tq + i] = s;
}

// dQ_i = scale * sum_j P_ij (dO_i . V_j - D_i) K_j; one warp per query row.
template <typename T>
__global__ void __launch_bounds__(kGenWarps * 32) attn_bwd_dq_kernel(AttnGrad a) {
  __shared__ float Qs[kGenWarps][kMaxHeadDim];
  __shared__ float Gs[kGenWarps][kMaxHeadDim];  // dO rows
  __shared__ float Ks[kGenKeys][kMaxHeadDim + 1];
  __shared__ float Vs[kGenKeys][kMaxHeadDim + 1];
  const AttnParams& p = a.f;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, D = (int)p.D;
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = (int64_t)blockIdx.x * kGenWarps, i = q0 + warp;
  const int64_t bk = p.Bk == 1 ? 0 : b;
  const T* q = static_cast<const T*>(p.q);
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);
  const T* dout = static_cast<const T*>(a.dout);
  const bool live = i < p.Tq;
  for (int d = lane; d < D; d += 32) {
    Qs[warp][d] = live ? to_float(q[row_offset(b, p.Tq, i, p.H, h, D) + d]) : 0.0f;
    Gs[warp][d] = live ? to_float(dout[row_offset(b, p.Tq, i, p.H, h, D) + d]) : 0.0f;
  }
  const float lse_i = live ? p.lse[(b * p.H + h) * p.Tq + i] : 0.0f;
  const float dot_i = live ? a.rowdot[(b * p.H + h) * p.Tq + i] : 0.0f;
  float acc[kMaxHeadDim / 32] = {0.0f, 0.0f, 0.0f, 0.0f};
  const int64_t kv_end = kv_end_for(min(q0 + kGenWarps, p.Tq), p.Tk, p.off);
  for (int64_t kv0 = 0; kv0 < kv_end; kv0 += kGenKeys) {
    __syncthreads();
    for (int c = threadIdx.x; c < kGenKeys * D; c += blockDim.x) {
      const int r = c / D, d = c % D;
      const int64_t j = kv0 + r;
      Ks[r][d] = j < p.Tk ? to_float(k[row_offset(bk, p.Tk, j, p.H, h, D) + d]) : 0.0f;
      Vs[r][d] = j < p.Tk ? to_float(v[row_offset(bk, p.Tk, j, p.H, h, D) + d]) : 0.0f;
    }
    __syncthreads();
    const int64_t j = kv0 + lane;
    float s = 0.0f, dp = 0.0f;
    for (int d = 0; d < D; ++d) {
      s = fmaf(Qs[warp][d], Ks[lane][d], s);
      dp = fmaf(Gs[warp][d], Vs[lane][d], dp);
    }
    const float pij = (live && visible(i, j, p.Tk, p.off)) ? expf(s * p.scale - lse_i) : 0.0f;
    const float ds = pij * (dp - dot_i);
    for (int jj = 0; jj < kGenKeys; ++jj) {
      const float w = __shfl_sync(0xffffffffu, ds, jj);
#pragma unroll
      for (int c = 0; c < kMaxHeadDim / 32; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] = fmaf(w, Ks[jj][d], acc[c]);
      }
    }
  }
  if (!live) return;
  float* dq = a.dq + row_offset(b, p.Tq, i, p.H, h, D);
#pragma unroll
  for (int c = 0; c < kMaxHeadDim / 32; ++c) {
    const int d = lane + 32 * c;
    if (d < D) dq[d] = acc[c] * p.scale;
  }
}

// dV_j = sum_i P_ij dO_i, dK_j = scale * sum_i P_ij (dO_i . V_j - D_i) Q_i; one warp per key row,
// summing over the batch rows that share this K/V (all B when Bk == 1).
template <typename T>
__global__ void __launch_bounds__(kGenWarps * 32) attn_bwd_dkdv_kernel(AttnGrad a) {
  __shared__ float Krow[kGenWarps][kMaxHeadDim];
  __shared__ float Vrow[kGenWarps][kMaxHeadDim];
  __shared__ float Qs[kGenKeys][kMaxHeadDim + 1];
  __shared__ float Gs[kGenKeys][kMaxHeadDim + 1];
  __shared__ float lse_s[kGenKeys], dot_s[kGenKeys];
  const AttnParams& p = a.f;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, D = (int)p.D;
  const int64_t bk = blockIdx.z, h = blockIdx.y, j0 = (int64_t)blockIdx.x * kGenWarps, j = j0 + warp;
  const T* q = static_cast<const T*>(p.q);
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);
  const T* dout = static_cast<const T*>(a.dout);
  const bool live = j < p.Tk;
  for (int d = lane; d < D; d += 32) {
    Krow[warp][d] = live ? to_float(k[row_offset(bk, p.Tk, j, p.H, h, D) + d]) : 0.0f;
    Vrow[warp][d] = live ? to_float(v[row_offset(bk, p.Tk, j, p.H, h, D) + d]) : 0.0f;
  }
  float dk[kMaxHeadDim / 32] = {0.0f, 0.0f, 0.0f, 0.0f}, dv[kMaxHeadDim / 32] = {0.0f, 0.0f, 0.0f, 0.0f};
  // queries i < j0 - off cannot see any key of this block
  const int64_t i_begin = p.off < 0 ? 0 : max((int64_t)0, j0 - p.off);
  const int64_t b_first = p.Bk == 1 ? 0 : bk, b_last = p.Bk == 1 ? p.B : bk + 1;
  for (int64_t b = b_first; b < b_last; ++b) {
    for (int64_t i0 = i_begin; i0 < p.Tq; i0 += kGenKeys) {
      __syncthreads();
      for (int c = threadIdx.x; c < kGenKeys * D; c += blockDim.x) {
        const int r = c / D, d = c % D;
        const int64_t i = i0 + r;
        Qs[r][d] = i < p.Tq ? to_float(q[row_offset(b, p.Tq, i, p.H, h, D) + d]) : 0.0f;
        Gs[r][d] = i < p.Tq ? to_float(dout[row_offset(b, p.Tq, i, p.H, h, D) + d]) : 0.0f;
      }
      if (threadIdx.x < kGenKeys) {
        const int64_t i = i0 + threadIdx.x;
        lse_s[threadIdx.x] = i < p.Tq ? p.lse[(b * p.H + h) * p.Tq + i] : 0.0f;
        dot_s[threadIdx.x] = i < p.Tq ? a.rowdot[(b * p.H + h) * p.Tq + i] : 0.0f;
      }
      __syncthreads();
      const int64_t i = i0 + lane;
      float s = 0.0f, dp = 0.0f;
      for (int d = 0; d < D; ++d) {
        s = fmaf(Qs[lane][d], Krow[warp][d], s);
        dp = fmaf(Gs[lane][d], Vrow[warp][d], dp);
      }
      const bool vis = live && i < p.Tq && visible(i, j, p.Tk, p.off);
      const float pij = vis ? expf(s * p.scale - lse_s[lane]) : 0.0f;
      const float ds = pij * (dp - dot_s[lane]);
      for (int ii = 0; ii < kGenKeys; ++ii) {
        const float pb = __shfl_sync(0xffffffffu, pij, ii);
        const float db = __shfl_sync(0xffffffffu, ds, ii);
#pragma unroll
        for (int c = 0; c < kMaxHeadDim / 32; ++c) {
          const int d = lane + 32 * c;
          if (d < D) {
            dv[c] = fmaf(pb, Gs[ii][d], dv[c]);
            dk[c] = fmaf(db, Qs[ii][d], dk[c]);
          }
        }
      }
    }
  }
  if (!live) return;
  float* dkr = a.dk + row_offset(bk, p.Tk, j, p.H, h, D);
  float* dvr = a.dv + row_offset(bk, p.Tk, j, p.H, h, D);
#pragma unroll
  for (int c = 0; c < kMaxHeadDim / 32; ++c) {
    const int d = lane + 32 * c;
    if (d < D) {
      dkr[d] = dk[c] * p.scale;
      dvr[d] = dv[c];
    }
  }
}

// ============================== naive materialized attention ===========================================
constexpr int kTile = 16;

// scores[b,h,i,j] = scale * q_i . k_j (or -inf where masked); classic 16 x 16 shared-memory tiling.
template <typename T>
__global__ void naive_scores_kernel(AttnParams p, float* scores) {
  __shared__ float Qt[kTile][kTile + 1], Kt[kTile][kTile + 1];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t bh = blockIdx.z, b = bh / p.H, h = bh % p.H, bk = p.Bk == 1 ? 0 : b;
  const int64_t i = (int64_t)blockIdx.y * kTile + ty, jb = (int64_t)blockIdx.x * kTile;
  const T* q = static_cast<const T*>(p.q);
  const T* k = static_cast<const T*>(p.k);
  float acc = 0.0f;
  for (int d0 = 0; d0 < p.D; d0 += kTile) {
    const int d = d0 + tx;
    Qt[ty][tx] = (i < p.Tq && d < p.D) ? to_float(q[row_offset(b, p.Tq, i, p.H, h, p.D) + d]) : 0.0f;
    const int64_t jl = jb + ty;  // this thread loads key jl
    Kt[ty][tx] = (jl < p.Tk && d < p.D) ? to_float(k[row_offset(bk, p.Tk, jl, p.H, h, p.D) + d]) : 0.0f;
    __syncthreads();
#pragma unroll
    for (int e = 0; e < kTile; ++e) acc = fmaf(Qt[ty][e], Kt[tx][e], acc);
    __syncthreads();
  }
  const int64_t j = jb + tx;
  if (i < p.Tq && j < p.Tk) scores[(bh * p.Tq + i) * p.Tk + j] = visible(i, j, p.Tk, p.off) ? acc * p.scale : -INFINITY;
}

// in-place softmax of one score row (b,h,i) per block, and its lse
__global__ void naive_softmax_kernel(float* scores, float* lse, int64_t Tk) {
  __shared__ float scratch[32];
  float* row = scores + (int64_t)blockIdx.x * Tk;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < Tk; j += blockDim.x) m = fmaxf(m, row[j]);
  m = block_max(m, scratch);
  const float muse = m == -INFINITY ? 0.0f : m;
  float s = 0.0f;
  for (int64_t j = threadIdx.x; j < Tk; j += blockDim.x) s += expf(row[j] - muse);
  s = block_sum(s, scratch);
  const float inv = s > 0.0f ? 1.0f / s : 0.0f;
  for (int64_t j = threadIdx.x; j < Tk; j += blockDim.x) row[j] = expf(row[j] - muse) * inv;
  if (threadIdx.x == 0 && lse) lse[blockIdx.x] = s > 0.0f ? muse + logf(s) : -INFINITY;
}

// out[b,i,h,:] = P[b,h,i,:] . V; 16 queries x 16 dims per block
template <typename T>
__global__ void naive_pv_kernel(AttnParams p, const float* probs) {
  __shared__ float Pt[kTile][kTile + 1], Vt[kTile][kTile + 1];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t bh = blockIdx.z, b = bh / p.H, h = bh % p.H, bk = p.Bk == 1 ? 0 : b;
  const int64_t i = (int64_t)blockIdx.y * kTile + ty;
  const int d = blockIdx.x * kTile + tx;
  const T* v = static_cast<const T*>(p.v);
  float acc = 0.0f;
  for (int64_t j0 = 0; j0 < p.Tk; j0 += kTile) {
    Pt[ty][tx] = (i < p.Tq && j0 + tx < p.Tk) ? probs[(bh * p.Tq + i) * p.Tk + j0 + tx] : 0.0f;
    Vt[ty][tx] = (j0 + ty < p.Tk && d < p.D) ? to_float(v[row_offset(bk, p.Tk, j0 + ty, p.H, h, p.D) + d]) : 0.0f;
    __syncthreads();
#pragma unroll
    for (int e = 0; e < kTile; ++e) acc = fmaf(Pt[ty][e], Vt[e][tx], acc);
    __syncthreads();
  }
  if (i < p.Tq && d < p.D) static_cast<T*>(p.out)[row_offset(b, p.Tq, i, p.H, h, p.D) + d] = from_float<T>(acc);
}

// ============================== host side =================================================================
int32_t check_and_fill(AttnParams& p, int32_t dtype, const void* q, const void* k, const void* v, void* out,
                       float* lse, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t H, int64_t D, int64_t off) {
  if (!is_float_dtype(dtype) || !q || !k || !v || !out) return kInvalid;
  if (B < 1 || (Bk != B && Bk != 1) || Tq < 1 || Tk < 1 || H < 1 || D < 1 || D > kMaxHeadDim) return kInvalid;
  if (off >= 0 && off + Tq > Tk) return kInvalid;
  if (B > 65535 || H > 65535 || Tq > 65535LL * 65535) return kInvalid;
  p.q = q;
  p.k = k;
  p.v = v;
  p.out = out;
  p.lse = lse;
  p.B = B;
  p.Bk = Bk;
  p.Tq = Tq;
  p.Tk = Tk;
  p.H = H;
  p.D = D;
  p.off = off < 0 ? -1 : off;
  p.scale = 1.0f / sqrtf((float)D);
  return 0;
}

template <typename T>
int32_t launch_generic_fwd(const AttnParams& p, cudaStream_t s) {
  dim3 grid((unsigned)((p.Tq + kGenWarps - 1) / kGenWarps), (unsigned)p.H, (unsigned)p.B);
  attn_fwd_generic_kernel<T><<<grid, kGenWarps * 32, 0, s>>>(p);
  return launch_status();
}

int32_t generic_forward(int32_t dtype, const AttnParams& p, cudaStream_t s) {
  if (dtype == DQW_CUDA_F16) return launch_generic_fwd<__half>(p, s);
  if (dtype == DQW_CUDA_BF16) return launch_generic_fwd<__nv_bfloat16>(p, s);
  return launch_generic_fwd<float>(p, s);
}

bool aligned16(const void* ptr) { return ((uintptr_t)ptr & 15u) == 0; }

template <typename T>
int32_t launch_backward(const AttnGrad& a, cudaStream_t s) {
  const AttnParams& p = a.f;
  const int64_t rows = p.B * p.Tq * p.H;
  attn_rowdot_kernel<T><<<blocks_for(rows, 8, 2147483647LL), 256, 0, s>>>(a);
  int32_t e = launch_status();
  if (e) return e;
  dim3 gq((unsigned)((p.Tq + kGenWarps - 1) / kGenWarps), (unsigned)p.H, (unsigned)p.B);
  attn_bwd_dq_kernel<T><<<gq, kGenWarps * 32, 0, s>>>(a);
  if ((e = launch_status())) return e;
  dim3 gk((unsigned)((p.Tk + kGenWarps - 1) / kGenWarps), (unsigned)p.H, (unsigned)p.Bk);
  attn_bwd_dkdv_kernel<T><<<gk, kGenWarps * 32, 0, s>>>(a);
  return launch_status();
}

template <typename T>
int32_t launch_naive(const AttnParams& p, float* scores, cudaStream_t s) {
  dim3 block(kTile, kTile);
  dim3 gs((unsigned)((p.Tk + kTile - 1) / kTile), (unsigned)((p.Tq + kTile - 1) / kTile), (unsigned)(p.B * p.H));
  naive_scores_kernel<T><<<gs, block, 0, s>>>(p, scores);
  int32_t e = launch_status();
  if (e) return e;
  naive_softmax_kernel<<<(unsigned)(p.B * p.H * p.Tq), 256, 0, s>>>(scores, p.lse, p.Tk);
  if ((e = launch_status())) return e;
  dim3 gp((unsigned)((p.D + kTile - 1) / kTile), (unsigned)((p.Tq + kTile - 1) / kTile), (unsigned)(p.B * p.H));
  naive_pv_kernel<T><<<gp, block, 0, s>>>(p, scores);
  return launch_status();
}

}  // namespace

extern "C" {

DQW_API int32_t dqw_cuda_attention_forward(int32_t dtype, const void* q, const void* k, const void* v, void* out,
                                           float* lse, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads,
                                           int64_t head_dim, int64_t causal_offset, void* stream) {
  AttnParams p;
  if (check_and_fill(p, dtype, q, k, v, out, lse, B, Bk, Tq, Tk, heads, head_dim, causal_offset)) return kInvalid;
  cudaStream_t s = as_stream(stream);
  const bool tc = head_dim == 64 && is_half_dtype(dtype) && aligned16(q) && aligned16(k) && aligned16(v) &&
                  aligned16(out) && (Tq + 63) / 64 <= 2147483647LL;
  if (!tc) return generic_forward(dtype, p, s);
  dim3 grid((unsigned)((Tq + 63) / 64), (unsigned)heads, (unsigned)B);
  if (dtype == DQW_CUDA_F16)
    flash_fwd_d64_kernel<__half, MmaF16><<<grid, 128, 0, s>>>(p);
  else
    flash_fwd_d64_kernel<__nv_bfloat16, MmaBF16><<<grid, 128, 0, s>>>(p);
  return launch_status();
}

DQW_API int32_t dqw_cuda_attention_forward_generic(int32_t dtype, const void* q, const void* k, const void* v,
                                                   void* out, float* lse, int64_t B, int64_t Bk, int64_t Tq,
                                                   int64_t Tk, int64_t heads, int64_t head_dim,
                                                   int64_t causal_offset, void* stream) {
  AttnParams p;
  if (check_and_fill(p, dtype, q, k, v, out, lse, B, Bk, Tq, Tk, heads, head_dim, causal_offset)) return kInvalid;
  return generic_forward(dtype, p, as_stream(stream));
}

DQW_API int32_t dqw_cuda_attention_backward(int32_t dtype, const void* q, const void* k, const void* v,
                                            const void* out, const float* lse, const void* dout, float* dq,
                                            float* dk, float* dv, float* work, int64_t B, int64_t Bk, int64_t Tq,
                                            int64_t Tk, int64_t heads, int64_t head_dim, int64_t causal_offset,
                                            void* stream) {
  AttnGrad a;
  if (check_and_fill(a.f, dtype, q, k, v, const_cast<void*>(out), const_cast<float*>(lse), B, Bk, Tq, Tk, heads,
                     head_dim, causal_offset))
    return kInvalid;
  if (!lse || !dout || !dq || !dk || !dv || !work) return kInvalid;
  a.dout = dout;
  a.dq = dq;
  a.dk = dk;
  a.dv = dv;
  a.rowdot = work;
  cudaStream_t s = as_stream(stream);
  if (dtype == DQW_CUDA_F16) return launch_backward<__half>(a, s);
  if (dtype == DQW_CUDA_BF16) return launch_backward<__nv_bfloat16>(a, s);
  return launch_backward<float>(a, s);
}

DQW_API int32_t dqw_cuda_attention_naive(int32_t dtype, const void* q, const void* k, const void* v, void* out,
                                         float* lse, float* scores, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk,
                                         int64_t heads, int64_t head_dim, int64_t causal_offset, void* stream) {
  AttnParams p;
  if (check_and_fill(p, dtype, q, k, v, out, lse, B, Bk, Tq, Tk, heads, head_dim, causal_offset) || !scores)
    return kInvalid;
  if (B * heads * Tq > 2147483647LL || B * heads > 65535 || (Tq + kTile - 1) / kTile > 65535) return kInvalid;
  cudaStream_t s = as_stream(stream);
  if (dtype == DQW_CUDA_F16) return launch_naive<__half>(p, scores, s);
  if (dtype == DQW_CUDA_BF16) return launch_naive<__nv_bfloat16>(p, scores, s);
  return launch_naive<float>(p, scores, s);
}

}  // extern "C"
