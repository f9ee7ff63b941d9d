// Fake quantization for quantization-aware training (see dqw/cuda_kernels.h): forward, STE/LSQ
// backward and min/max scale initialisation over x[N,K] with per-tensor, per-channel (row) or
// per-group (runs of 32/64/128 along K) scales. Float operations are spelled with __f*_rn intrinsics
// so the results match a plain IEEE float reference bit for bit (no FMA contraction).
#include "common.cuh"

namespace {
using namespace dqw_cuda;

struct FqParams {
  int64_t N, K;
  int granularity;
  int group_shift;  // log2(group) for PER_GROUP
  int64_t groups_per_row;
  float qmin, qmax;
  bool symmetric;
};

__device__ __forceinline__ int64_t seg_of(const FqParams& p, int64_t n, int64_t kk) {
  if (p.granularity == DQW_FQ_PER_TENSOR) return 0;
  if (p.granularity == DQW_FQ_PER_CHANNEL) return n;
  return n * p.groups_per_row + (kk >> p.group_shift);
}

__device__ __forceinline__ float fq_value(float x, float s, float z, const FqParams& p) {
  const float u = __fdiv_rn(x, s);
  const float q = fminf(fmaxf(__fadd_rn(rintf(u), z), p.qmin), p.qmax);
  return __fmul_rn(s, __fsub_rn(q, z));
}

// One block per row; float4 when the row is 16-byte aligned and K % 4 == 0 (a group never splits a float4).
__global__ void fq_forward_kernel(const float* x, float* y, const float* scale, const float* zero, FqParams p,
                                  bool vec4) {
  const int64_t n = blockIdx.x;
  const float* xr = x + n * p.K;
  float* yr = y + n * p.K;
  if (vec4) {
    for (int64_t kk = 4 * (int64_t)threadIdx.x; kk < p.K; kk += 4 * (int64_t)blockDim.x) {
      const int64_t g = seg_of(p, n, kk);
      const float s = scale[g], z = p.symmetric ? 0.0f : zero[g];
      const float4 v = *reinterpret_cast<const float4*>(xr + kk);
      *reinterpret_cast<float4*>(yr + kk) =
          make_float4(fq_value(v.x, s, z, p), fq_value(v.y, s, z, p), fq_value(v.z, s, z, p), fq_value(v.w, s, z, p));
    }
  } else {
    for (int64_t kk = threadIdx.x; kk < p.K; kk += blockDim.x) {
      const int64_t g = seg_of(p, n, kk);
      yr[kk] = fq_value(xr[kk], scale[g], p.symmetric ? 0.0f : zero[g], p);
    }
  }
}

// Per element of the backward: dx, and the LSQ terms for dscale and dzero.
struct FqGrad {
  float dx, ds, dz;
};
__device__ __forceinline__ FqGrad fq_grad(float x, float dy, float s, float z, const FqParams& p) {
  const float v = __fadd_rn(__fdiv_rn(x, s), z);
  FqGrad r;
  if (v < p.qmin) {
    r.dx = 0.0f;
    r.ds = __fmul_rn(dy, __fsub_rn(p.qmin, z));
    r.dz = __fmul_rn(dy, -s);
  } else if (v > p.qmax) {
    r.dx = 0.0f;
    r.ds = __fmul_rn(dy, __fsub_rn(p.qmax, z));
    r.dz = __fmul_rn(dy, -s);
  } else {
    r.dx = dy;
    r.ds = __fmul_rn(dy, __fsub_rn(rintf(v), v));
    r.dz = 0.0f;
  }
  return r;
}

// PER_CHANNEL / PER_GROUP: one warp per segment (row n, group gi): dx, and dscale / dzero of the segment.
__global__ void fq_backward_segments_kernel(const float* x, const float* dy, const float* scale, const float* zero,
                                            float* dx, float* dscale, float* dzero, FqParams p, float grad_scale,
                                            int64_t nseg, bool vec4) {
  const int lane = threadIdx.x & 31;
  const int64_t seg = (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  if (seg >= nseg) return;
  int64_t n, k0, k1;
  if (p.granularity == DQW_FQ_PER_CHANNEL) {
    n = seg;
    k0 = 0;
    k1 = p.K;
  } else {
    n = seg / p.groups_per_row;
    k0 = (seg % p.groups_per_row) << p.group_shift;
    k1 = min(p.K, k0 + ((int64_t)1 << p.group_shift));
  }
  const float s = scale[seg], z = p.symmetric ? 0.0f : zero[seg];
  float ds = 0.0f, dz = 0.0f;
  if (vec4) {  // 16-byte loads and stores: segment bounds are multiples of 4 (K % 4 == 0, group >= 4)
    for (int64_t kk = k0 + 4 * lane; kk < k1; kk += 128) {
      const int64_t idx = n * p.K + kk;
      const float4 xv = *reinterpret_cast<const float4*>(x + idx), gv = *reinterpret_cast<const float4*>(dy + idx);
      const FqGrad a = fq_grad(xv.x, gv.x, s, z, p), b = fq_grad(xv.y, gv.y, s, z, p), c = fq_grad(xv.z, gv.z, s, z, p),
                   d = fq_grad(xv.w, gv.w, s, z, p);
      *reinterpret_cast<float4*>(dx + idx) = make_float4(a.dx, b.dx, c.dx, d.dx);
      ds += ((a.ds + b.ds) + c.ds) + d.ds;
      dz += ((a.dz + b.dz) + c.dz) + d.dz;
    }
  } else {
    for (int64_t kk = k0 + lane; kk < k1; kk += 32) {
      const int64_t idx = n * p.K + kk;
      const FqGrad gr = fq_grad(x[idx], dy[idx], s, z, p);
      dx[idx] = gr.dx;
      ds += gr.ds;
      dz += gr.dz;
    }
  }
  ds = warp_sum(ds);
  dz = warp_sum(dz);
  if (lane == 0) {
    if (dscale) dscale[seg] = ds * grad_scale;
    if (dzero && !p.symmetric) dzero[seg] = dz * grad_scale;
  }
}

// PER_GROUP with small groups (4 <= group <= 128), float4-aligned: a warp serves 32 / L segments at once,
// L = group / 4 lanes each (one float4 per lane per pass), and reduces each segment over its own L lanes.
// (One warp per 64-element group, as the kernel above does, leaves half its lanes idle and the memory
// system underfed: per-group backward ran at ~40% of the card's bandwidth.)
__global__ void fq_backward_groups_vec4_kernel(const float* x, const float* dy, const float* scale, const float* zero,
                                               float* dx, float* dscale, float* dzero, FqParams p, float grad_scale,
                                               int64_t nseg, int lanes_per_seg) {
  const int lane = threadIdx.x & 31;
  const int segs_per_warp = 32 / lanes_per_seg;
  const int64_t warp = (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  const int64_t seg = warp * segs_per_warp + lane / lanes_per_seg;
  const int sub = lane % lanes_per_seg;
  float ds = 0.0f, dz = 0.0f;
  if (seg < nseg) {  // no early return: every lane takes part in the shuffles below
    const int64_t n = seg / p.groups_per_row;
    const int64_t k0 = (seg % p.groups_per_row) << p.group_shift;
    const int64_t k1 = min(p.K, k0 + ((int64_t)1 << p.group_shift));
    const float s = scale[seg], z = p.symmetric ? 0.0f : zero[seg];
    for (int64_t kk = k0 + 4 * sub; kk < k1; kk += 4 * lanes_per_seg) {
      const int64_t idx = n * p.K + kk;
      const float4 xv = *reinterpret_cast<const float4*>(x + idx), gv = *reinterpret_cast<const float4*>(dy + idx);
      const FqGrad a = fq_grad(xv.x, gv.x, s, z, p), b = fq_grad(xv.y, gv.y, s, z, p), c = fq_grad(xv.z, gv.z, s, z, p),
                   d = fq_grad(xv.w, gv.w, s, z, p);
      *reinterpret_cast<float4*>(dx + idx) = make_float4(a.dx, b.dx, c.dx, d.dx);
      ds += ((a.ds + b.ds) + c.ds) + d.ds;
      dz += ((a.dz + b.dz) + c.dz) + d.dz;
    }
  }
  for (int o = lanes_per_seg >> 1; o > 0; o >>= 1) {  // fixed tree within each segment's lanes
    ds += __shfl_xor_sync(0xffffffffu, ds, o);
    dz += __shfl_xor_sync(0xffffffffu, dz, o);
  }
  if (sub == 0 && seg < nseg) {
    if (dscale) dscale[seg] = ds * grad_scale;
    if (dzero && !p.symmetric) dzero[seg] = dz * grad_scale;
  }
}

constexpr int kPartials = DQW_CUDA_FQ_WORK_FLOATS / 2;

// PER_TENSOR, stage 1: block b handles elements [b*chunk, (b+1)*chunk): dx and partial sums into work.
__global__ void fq_backward_tensor_kernel(const float* x, const float* dy, const float* scale, const float* zero,
                                          float* dx, float* work, FqParams p, int64_t chunk, bool vec4) {
  __shared__ float scratch[32];
  const int64_t total = p.N * p.K, begin = (int64_t)blockIdx.x * chunk, end = min(total, begin + chunk);
  const float s = scale[0], z = p.symmetric ? 0.0f : zero[0];
  float ds = 0.0f, dz = 0.0f;
  if (vec4) {  // chunk and total are multiples of 4, the arrays 16-byte aligned
    for (int64_t i = begin + 4 * (int64_t)threadIdx.x; i < end; i += 4 * (int64_t)blockDim.x) {
      const float4 xv = *reinterpret_cast<const float4*>(x + i), gv = *reinterpret_cast<const float4*>(dy + i);
      const FqGrad a = fq_grad(xv.x, gv.x, s, z, p), b = fq_grad(xv.y, gv.y, s, z, p), c = fq_grad(xv.z, gv.z, s, z, p),
                   d = fq_grad(xv.w, gv.w, s, z, p);
      *reinterpret_cast<float4*>(dx + i) = make_float4(a.dx, b.dx, c.dx, d.dx);
      ds += ((a.ds + b.ds) + c.ds) + d.ds;
      dz += ((a.dz + b.dz) + c.dz) + d.dz;
    }
  } else {
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      const FqGrad gr = fq_grad(x[i], dy[i], s, z, p);
      dx[i] = gr.dx;
      ds += gr.ds;
      dz += gr.dz;
    }
  }
  ds = block_sum(ds, scratch);
  dz = block_sum(dz, scratch);
  if (work && threadIdx.x == 0) {
    work[blockIdx.x] = ds;
    work[kPartials + blockIdx.x] = dz;
  }
}

// PER_TENSOR, stage 2: one block sums the partials in a fixed order.
__global__ void fq_backward_tensor_finish(const float* work, int parts, float* dscale, float* dzero, bool symmetric,
                                          float grad_scale) {
  __shared__ float scratch[32];
  float ds = 0.0f, dz = 0.0f;
  for (int i = threadIdx.x; i < parts; i += blockDim.x) {
    ds += work[i];
    dz += work[kPartials + i];
  }
  ds = block_sum(ds, scratch);
  dz = block_sum(dz, scratch);
  if (threadIdx.x == 0) {
    if (dscale) dscale[0] = ds * grad_scale;
    if (dzero && !symmetric) dzero[0] = dz * grad_scale;
  }
}

// Scale (and zero point) of one segment from its min / max.
__device__ __forceinline__ void init_segment(float lo, float hi, float amax, const FqParams& p, float* scale,
                                             float* zero, int64_t seg) {
  if (p.symmetric) {
    const float s = __fdiv_rn(amax, p.qmax);
    scale[seg] = s > 0.0f ? s : 1.0f;
    if (zero) zero[seg] = 0.0f;
    return;
  }
  lo = fminf(lo, 0.0f);
  hi = fmaxf(hi, 0.0f);
  const float s = __fdiv_rn(__fsub_rn(hi, lo), __fsub_rn(p.qmax, p.qmin));
  if (!(s > 0.0f)) {
    scale[seg] = 1.0f;
    zero[seg] = 0.0f;
    return;
  }
  scale[seg] = s;
  zero[seg] = fminf(fmaxf(rintf(__fsub_rn(p.qmin, __fdiv_rn(lo, s))), p.qmin), p.qmax);
}

// One warp per segment (PER_CHANNEL / PER_GROUP), or one block for the whole tensor (PER_TENSOR).
__global__ void fq_init_kernel(const float* x, float* scale, float* zero, FqParams p, int64_t nseg) {
  __shared__ float scratch[32];
  const int lane = threadIdx.x & 31;
  if (p.granularity == DQW_FQ_PER_TENSOR) {
    float lo = INFINITY, hi = -INFINITY, am = 0.0f;
    for (int64_t i = threadIdx.x; i < p.N * p.K; i += blockDim.x) {
      const float v = x[i];
      lo = fminf(lo, v);
      hi = fmaxf(hi, v);
      am = fmaxf(am, fabsf(v));
    }
    lo = -block_max(-lo, scratch);
    hi = block_max(hi, scratch);
    am = block_max(am, scratch);
    if (threadIdx.x == 0) init_segment(lo, hi, am, p, scale, zero, 0);
    return;
  }
  const int64_t seg = (int64_t)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
  if (seg >= nseg) return;
  int64_t n = seg, k0 = 0, k1 = p.K;
  if (p.granularity == DQW_FQ_PER_GROUP) {
    n = seg / p.groups_per_row;
    k0 = (seg % p.groups_per_row) << p.group_shift;
    k1 = min(p.K, k0 + ((int64_t)1 << p.group_shift));
  }
  float lo = INFINITY, hi = -INFINITY, am = 0.0f;
  for (int64_t kk = k0 + lane; kk < k1; kk += 32) {
    const float v = x[n * p.K + kk];
    lo = fminf(lo, v);
    hi = fmaxf(hi, v);
    am = fmaxf(am, fabsf(v));
  }
  lo = -warp_max(-lo);
  hi = warp_max(hi);
  am = warp_max(am);
  if (lane == 0) init_segment(lo, hi, am, p, scale, zero, seg);
}

int32_t make_params(FqParams& p, int64_t N, int64_t K, int32_t granularity, int32_t group, int32_t bits,
                    int32_t symmetric, int64_t* nseg) {
  if (N < 1 || K < 1 || bits < 2 || bits > 8 || N > 2147483647LL) return kInvalid;
  p.N = N;
  p.K = K;
  p.granularity = granularity;
  p.symmetric = symmetric != 0;
  p.group_shift = 0;
  p.groups_per_row = 1;
  if (granularity == DQW_FQ_PER_TENSOR) {
    *nseg = 1;
  } else if (granularity == DQW_FQ_PER_CHANNEL) {
    *nseg = N;
  } else if (granularity == DQW_FQ_PER_GROUP) {
    if (group == 32) p.group_shift = 5;
    else if (group == 64) p.group_shift = 6;
    else if (group == 128) p.group_shift = 7;
    else return kInvalid;
    p.groups_per_row = (K + group - 1) / group;
    *nseg = N * p.groups_per_row;
  } else {
    return kInvalid;
  }
  const float levels = (float)(1 << (bits - 1));
  p.qmax = p.symmetric ? levels - 1.0f : 2.0f * levels - 1.0f;
  p.qmin = p.symmetric ? -p.qmax : 0.0f;
  return 0;
}

}  // namespace

extern "C" {

DQW_API int32_t dqw_cuda_fake_quant_forward(const float* x, float* y, const float* scale, const float* zero,
                                            int64_t N, int64_t K, int32_t granularity, int32_t group,
                                            int32_t bits, int32_t symmetric, void* stream) {
  FqParams p;
  int64_t nseg = 0;
  if (make_params(p, N, K, granularity, group, bits, symmetric, &nseg) || !x || !y || !scale) return kInvalid;
  if (!p.symmetric && !zero) return kInvalid;
  const bool vec4 = K % 4 == 0 && ((uintptr_t)x & 15u) == 0 && ((uintptr_t)y & 15u) == 0;
  fq_forward_kernel<<<(unsigned)N, 256, 0, as_stream(stream)>>>(x, y, scale, zero, p, vec4);
  return launch_status();
}

DQW_API int32_t dqw_cuda_fake_quant_backward(const float* x, const float* dy, const float* scale, const float* zero,
                                             float* dx, float* dscale, float* dzero, float* work, int64_t N,
                                             int64_t K, int32_t granularity, int32_t group, int32_t bits,
                                             int32_t symmetric, float grad_scale, void* stream) {
  FqParams p;
  int64_t nseg = 0;
  if (make_params(p, N, K, granularity, group, bits, symmetric, &nseg) || !x || !dy || !scale || !dx) return kInvalid;
  if (!p.symmetric && !zero) return kInvalid;
  cudaStream_t s = as_stream(stream);
  const bool aligned = ((uintptr_t)x & 15u) == 0 && ((uintptr_t)dy & 15u) == 0 && ((uintptr_t)dx & 15u) == 0;
  if (granularity != DQW_FQ_PER_TENSOR) {
    const bool vec4 = aligned && K % 4 == 0 && (granularity == DQW_FQ_PER_CHANNEL || p.group_shift >= 2);
    if (vec4 && granularity == DQW_FQ_PER_GROUP && p.group_shift <= 7) {
      const int lanes = 1 << (p.group_shift - 2);  // group / 4: 1 .. 32
      const int64_t warps = (nseg + (32 / lanes) - 1) / (32 / lanes);
      fq_backward_groups_vec4_kernel<<<blocks_for(warps, 8, 2147483647LL), 256, 0, s>>>(x, dy, scale, zero, dx, dscale,
                                                                                          dzero, p, grad_scale, nseg, lanes);
      return launch_status();
    }
    fq_backward_segments_kernel<<<blocks_for(nseg, 8, 2147483647LL), 256, 0, s>>>(x, dy, scale, zero, dx, dscale,
                                                                                     dzero, p, grad_scale, nseg, vec4);
    return launch_status();
  }
  const bool want_sums = dscale || (dzero && !p.symmetric);
  if (want_sums && !work) return kInvalid;
  const int64_t total = N * K;
  int64_t parts = (total + 4095) / 4096;
  if (parts > kPartials) parts = kPartials;
  int64_t chunk = (total + parts - 1) / parts;
  const bool vec4 = aligned && total % 4 == 0;
  if (vec4) chunk = (chunk + 3) / 4 * 4;  // every block starts on a float4
  fq_backward_tensor_kernel<<<(unsigned)parts, 256, 0, s>>>(x, dy, scale, zero, dx, want_sums ? work : nullptr, p,
                                                             chunk, vec4);
  int32_t e = launch_status();
  if (e || !want_sums) return e;
  fq_backward_tensor_finish<<<1, 1024, 0, s>>>(work, (int)parts, dscale, dzero, p.symmetric, grad_scale);
  return launch_status();
}

DQW_API int32_t dqw_cuda_fake_quant_init_scales(const float* x, float* scale, float* zero, int64_t N, int64_t K,
                                                int32_t granularity, int32_t group, int32_t bits,
                                                int32_t symmetric, void* stream) {
  FqParams p;
  int64_t nseg = 0;
  if (make_params(p, N, K, granularity, group, bits, symmetric, &nseg) || !x || !scale) return kInvalid;
  if (!p.symmetric && !zero) return kInvalid;
  const unsigned blocks = granularity == DQW_FQ_PER_TENSOR ? 1u : blocks_for(nseg, 8, 2147483647LL);
  fq_init_kernel<<<blocks, granularity == DQW_FQ_PER_TENSOR ? 1024 : 256, 0, as_stream(stream)>>>(x, scale, zero, p,
                                                                                                     nseg);
  return launch_status();
}

}  // extern "C"
