// Straightforward F32 kernels for training and inference: dtype conversion, LayerNorm, GELU, softmax,
// embeddings, cross-entropy, KL divergence, AdamW (see dqw/cuda_kernels.h). Row-wise ops use one
// block per row with fixed-order block reductions; column sums (LayerNorm dgamma / dbeta, embedding
// backward) give each thread whole columns, so every result is deterministic without atomics.
#include "common.cuh"

namespace {
using namespace dqw_cuda;

constexpr int kThreads = 256;

// ---- conversion ---------------------------------------------------------------------------------------
template <typename S, typename D>
__global__ void convert_kernel(const S* src, D* dst, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    dst[i] = from_float<D>(to_float(src[i]));
}
template <typename S>
int32_t convert_from(const S* src, void* dst, int32_t dst_dtype, int64_t n, cudaStream_t s) {
  const unsigned blocks = blocks_for(n, kThreads, 65535LL * 16);
  if (dst_dtype == DQW_CUDA_F32) convert_kernel<S, float><<<blocks, kThreads, 0, s>>>(src, (float*)dst, n);
  else if (dst_dtype == DQW_CUDA_F16) convert_kernel<S, __half><<<blocks, kThreads, 0, s>>>(src, (__half*)dst, n);
  else convert_kernel<S, __nv_bfloat16><<<blocks, kThreads, 0, s>>>(src, (__nv_bfloat16*)dst, n);
  return launch_status();
}

// ---- LayerNorm -----------------------------------------------------------------------------------------
__global__ void layernorm_fwd_kernel(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                     float* rstd, int64_t D, float eps) {
  __shared__ float scratch[32];
  const float* xr = x + (int64_t)blockIdx.x * D;
  float* yr = y + (int64_t)blockIdx.x * D;
  float s = 0.0f;
  for (int64_t d = threadIdx.x; d < D; d += blockDim.x) s += xr[d];
  const float mu = block_sum(s, scratch) / (float)D;
  float v = 0.0f;
  for (int64_t d = threadIdx.x; d < D; d += blockDim.x) {
    const float c = xr[d] - mu;
    v = fmaf(c, c, v);
  }
  const float var = block_sum(v, scratch) / (float)D;
  const float rs = 1.0f / sqrtf(var + eps);
  for (int64_t d = threadIdx.x; d < D; d += blockDim.x) yr[d] = (xr[d] - mu) * rs * gamma[d] + beta[d];
  if (threadIdx.x == 0) {
    if (mean) mean[blockIdx.x] = mu;
    if (rstd) rstd[blockIdx.x] = rs;
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma
__global__ void layernorm_bwd_dx_kernel(const float* dy, const float* x, const float* gamma, const float* mean,
                                        const float* rstd, float* dx, int64_t D, int accumulate) {
  __shared__ float scratch[32];
  const int64_t row = blockIdx.x;
  const float* dyr = dy + row * D;
  const float* xr = x + row * D;
  float* dxr = dx + row * D;
  const float mu = mean[row], rs = rstd[row];
  float sg = 0.0f, sgx = 0.0f;
  for (int64_t d = threadIdx.x; d < D; d += blockDim.x) {
    const float g = dyr[d] * gamma[d];
    sg += g;
    sgx = fmaf(g, (xr[d] - mu) * rs, sgx);
  }
  const float mg = block_sum(sg, scratch) / (float)D;
  const float mgx = block_sum(sgx, scratch) / (float)D;
  for (int64_t d = threadIdx.x; d < D; d += blockDim.x) {
    const float xhat = (xr[d] - mu) * rs;
    const float val = rs * (dyr[d] * gamma[d] - mg - xhat * mgx);
    dxr[d] = accumulate ? dxr[d] + val : val;
  }
}

// dgamma[d] += sum_m dy * xhat, dbeta[d] += sum_m dy: block of 32 x 32 threads per 32 columns.
__global__ void layernorm_bwd_params_kernel(const float* dy, const float* x, const float* mean, const float* rstd,
                                            float* dgamma, float* dbeta, int64_t M, int64_t D) {
  __shared__ float sg[32][33], sb[32][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t d = (int64_t)blockIdx.x * 32 + tx;
  float ag = 0.0f, ab = 0.0f;
  if (d < D) {
    for (int64_t m = ty; m < M; m += 32) {
      const float g = dy[m * D + d];
      ag = fmaf(g, (x[m * D + d] - mean[m]) * rstd[m], ag);
      ab += g;
    }
  }
  sg[ty][tx] = ag;
  sb[ty][tx] = ab;
  __syncthreads();
  if (ty == 0 && d < D) {
    float tg = 0.0f, tb = 0.0f;
    for (int r = 0; r < 32; ++r) {
      tg += sg[r][tx];
      tb += sb[r][tx];
    }
    if (dgamma) dgamma[d] += tg;
    if (dbeta) dbeta[d] += tb;
  }
}

// ---- GELU, softmax ------------------------------------------------------------------------------------------
__global__ void gelu_fwd_kernel(const float* x, float* y, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    y[i] = gelu_erf(x[i]);
}
__global__ void gelu_bwd_kernel(const float* x, const float* dy, float* dx, int64_t n) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    dx[i] = dy[i] * gelu_erf_grad(x[i]);
}

__global__ void softmax_fwd_kernel(const float* x, float* y, int64_t N) {
  __shared__ float scratch[32];
  const float* xr = x + (int64_t)blockIdx.x * N;
  float* yr = y + (int64_t)blockIdx.x * N;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) m = fmaxf(m, xr[j]);
  m = block_max(m, scratch);
  float s = 0.0f;
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) s += expf(xr[j] - m);
  const float inv = 1.0f / block_sum(s, scratch);
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) yr[j] = expf(xr[j] - m) * inv;
}
__global__ void softmax_bwd_kernel(const float* y, const float* dy, float* dx, int64_t N) {
  __shared__ float scratch[32];
  const int64_t off = (int64_t)blockIdx.x * N;
  float s = 0.0f;
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) s = fmaf(dy[off + j], y[off + j], s);
  const float dot = block_sum(s, scratch);
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) dx[off + j] = y[off + j] * (dy[off + j] - dot);
}

// ---- embeddings ------------------------------------------------------------------------------------------------
__global__ void embedding_fwd_kernel(const float* table, const int32_t* ids, float* out, int64_t V, int64_t D,
                                     int64_t N) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < N * D; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t n = i / D, d = i % D;
    const int64_t id = ids[n];
    out[i] = (id >= 0 && id < V) ? table[id * D + d] : 0.0f;
  }
}
// thread = column d, rows added in n order
__global__ void embedding_bwd_kernel(const float* dout, const int32_t* ids, float* dtable, int64_t V, int64_t D,
                                     int64_t N) {
  const int64_t d = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (d >= D) return;
  for (int64_t n = 0; n < N; ++n) {
    const int64_t id = ids[n];
    if (id >= 0 && id < V) dtable[id * D + d] += dout[n * D + d];
  }
}

// ---- losses ----------------------------------------------------------------------------------------------------
__global__ void cross_entropy_kernel(const float* logits, const int32_t* targets, float* losses, float* dlogits,
                                     int64_t V, int ignore_index, float eps, float scale) {
  __shared__ float scratch[32];
  const int64_t row = blockIdx.x;
  const float* xr = logits + row * V;
  float* dr = dlogits ? dlogits + row * V : nullptr;
  const int tgt = targets[row];
  if (tgt == ignore_index || tgt < 0 || tgt >= V) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    if (dr)
      for (int64_t j = threadIdx.x; j < V; j += blockDim.x) dr[j] = 0.0f;
    return;
  }
  const float xt = xr[tgt];  // read before any write (dlogits may alias logits)
  float m = -INFINITY, sx = 0.0f;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
    m = fmaxf(m, xr[j]);
    sx += xr[j];
  }
  m = block_max(m, scratch);
  const float mean_x = block_sum(sx, scratch) / (float)V;
  float se = 0.0f;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) se += expf(xr[j] - m);
  const float lse = m + logf(block_sum(se, scratch));
  if (threadIdx.x == 0) losses[row] = (1.0f - eps) * (lse - xt) + eps * (lse - mean_x);
  if (dr) {
    const float uniform = eps / (float)V;
    for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
      const float pj = expf(xr[j] - lse);
      dr[j] = scale * (pj - (j == tgt ? 1.0f - eps : 0.0f) - uniform);
    }
  }
}

__global__ void kl_kernel(const float* student, const float* teacher, const int32_t* mask, float* losses,
                          float* dstudent, int64_t V, float T, float scale) {
  __shared__ float scratch[32];
  const int64_t row = blockIdx.x;
  const float* sr = student + row * V;
  const float* tr = teacher + row * V;
  float* dr = dstudent ? dstudent + row * V : nullptr;
  if (mask && mask[row] == 0) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    if (dr)
      for (int64_t j = threadIdx.x; j < V; j += blockDim.x) dr[j] = 0.0f;
    return;
  }
  const float invT = 1.0f / T;
  float ms = -INFINITY, mt = -INFINITY;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
    ms = fmaxf(ms, sr[j] * invT);
    mt = fmaxf(mt, tr[j] * invT);
  }
  ms = block_max(ms, scratch);
  mt = block_max(mt, scratch);
  float es = 0.0f, et = 0.0f;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
    es += expf(sr[j] * invT - ms);
    et += expf(tr[j] * invT - mt);
  }
  const float lss = ms + logf(block_sum(es, scratch));
  const float lst = mt + logf(block_sum(et, scratch));
  float kl = 0.0f;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
    const float lt = tr[j] * invT - lst, ls = sr[j] * invT - lss;
    kl += expf(lt) * (lt - ls);
  }
  kl = block_sum(kl, scratch);  // also orders the reads above before the writes below (in-place dstudent)
  if (threadIdx.x == 0) losses[row] = T * T * kl;
  if (dr) {
    for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
      const float ps = expf(sr[j] * invT - lss), pt = expf(tr[j] * invT - lst);
      dr[j] = scale * T * (ps - pt);
    }
  }
}

// ---- AdamW -----------------------------------------------------------------------------------------------------
__global__ void adamw_kernel(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float b1,
                             float b2, float eps, float wd, float grad_scale, float bc1, float bc2) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    const float g = grad[i] * grad_scale;
    float p = param[i];
    p -= lr * wd * p;
    const float mi = b1 * m[i] + (1.0f - b1) * g;
    const float vi = b2 * v[i] + (1.0f - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
  }
}

}  // namespace

extern "C" {

DQW_API int32_t dqw_cuda_convert(const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype, int64_t n,
                                 void* stream) {
  if (!is_float_dtype(src_dtype) || !is_float_dtype(dst_dtype) || n < 0 || (n > 0 && (!src || !dst))) return kInvalid;
  if (n == 0) return 0;
  cudaStream_t s = as_stream(stream);
  if (src_dtype == DQW_CUDA_F32) return convert_from((const float*)src, dst, dst_dtype, n, s);
  if (src_dtype == DQW_CUDA_F16) return convert_from((const __half*)src, dst, dst_dtype, n, s);
  return convert_from((const __nv_bfloat16*)src, dst, dst_dtype, n, s);
}

DQW_API int32_t dqw_cuda_layernorm_forward(const float* x, const float* gamma, const float* beta, float* y,
                                           float* mean, float* rstd, int64_t M, int64_t D, float eps, void* stream) {
  if (!x || !gamma || !beta || !y || M < 0 || D < 1 || M > 2147483647LL) return kInvalid;
  if (M == 0) return 0;
  layernorm_fwd_kernel<<<(unsigned)M, kThreads, 0, as_stream(stream)>>>(x, gamma, beta, y, mean, rstd, D, eps);
  return launch_status();
}

DQW_API int32_t dqw_cuda_layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                                            const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t M,
                                            int64_t D, int32_t accumulate_dx, void* stream) {
  if (!dy || !x || !gamma || !mean || !rstd || !dx || M < 0 || D < 1 || M > 2147483647LL) return kInvalid;
  if (M == 0) return 0;
  cudaStream_t s = as_stream(stream);
  if (dgamma || dbeta) {  // first: it reads dy, which the dx kernel may overwrite (dx == dy is allowed)
    layernorm_bwd_params_kernel<<<(unsigned)((D + 31) / 32), dim3(32, 32), 0, s>>>(dy, x, mean, rstd, dgamma, dbeta,
                                                                                   M, D);
    int32_t e = launch_status();
    if (e) return e;
  }
  layernorm_bwd_dx_kernel<<<(unsigned)M, kThreads, 0, s>>>(dy, x, gamma, mean, rstd, dx, D, accumulate_dx);
  return launch_status();
}

DQW_API int32_t dqw_cuda_gelu_forward(const float* x, float* y, int64_t n, void* stream) {
  if (n < 0 || (n > 0 && (!x || !y))) return kInvalid;
  if (n == 0) return 0;
  gelu_fwd_kernel<<<blocks_for(n, kThreads, 65535LL * 16), kThreads, 0, as_stream(stream)>>>(x, y, n);
  return launch_status();
}

DQW_API int32_t dqw_cuda_gelu_backward(const float* x, const float* dy, float* dx, int64_t n, void* stream) {
  if (n < 0 || (n > 0 && (!x || !dy || !dx))) return kInvalid;
  if (n == 0) return 0;
  gelu_bwd_kernel<<<blocks_for(n, kThreads, 65535LL * 16), kThreads, 0, as_stream(stream)>>>(x, dy, dx, n);
  return launch_status();
}

DQW_API int32_t dqw_cuda_softmax_forward(const float* x, float* y, int64_t M, int64_t N, void* stream) {
  if (!x || !y || M < 0 || N < 1 || M > 2147483647LL) return kInvalid;
  if (M == 0) return 0;
  softmax_fwd_kernel<<<(unsigned)M, kThreads, 0, as_stream(stream)>>>(x, y, N);
  return launch_status();
}

DQW_API int32_t dqw_cuda_softmax_backward(const float* y, const float* dy, float* dx, int64_t M, int64_t N,
                                          void* stream) {
  if (!y || !dy || !dx || M < 0 || N < 1 || M > 2147483647LL) return kInvalid;
  if (M == 0) return 0;
  softmax_bwd_kernel<<<(unsigned)M, kThreads, 0, as_stream(stream)>>>(y, dy, dx, N);
  return launch_status();
}

DQW_API int32_t dqw_cuda_embedding_forward(const float* table, const int32_t* ids, float* out, int64_t V, int64_t D,
                                           int64_t N, void* stream) {
  if (!table || !ids || !out || V < 1 || D < 1 || N < 0) return kInvalid;
  if (N == 0) return 0;
  embedding_fwd_kernel<<<blocks_for(N * D, kThreads, 65535LL * 16), kThreads, 0, as_stream(stream)>>>(table, ids, out,
                                                                                                      V, D, N);
  return launch_status();
}

DQW_API int32_t dqw_cuda_embedding_backward(const float* dout, const int32_t* ids, float* dtable, int64_t V,
                                            int64_t D, int64_t N, void* stream) {
  if (!dout || !ids || !dtable || V < 1 || D < 1 || N < 0) return kInvalid;
  if (N == 0) return 0;
  embedding_bwd_kernel<<<blocks_for(D, kThreads, 2147483647LL), kThreads, 0, as_stream(stream)>>>(dout, ids, dtable, V,
                                                                                                  D, N);
  return launch_status();
}

DQW_API int32_t dqw_cuda_cross_entropy(const float* logits, const int32_t* targets, float* losses, float* dlogits,
                                       int64_t N, int64_t V, int32_t ignore_index, float label_smoothing,
                                       float scale, void* stream) {
  if (!logits || !targets || !losses || N < 0 || V < 1 || N > 2147483647LL) return kInvalid;
  if (N == 0) return 0;
  cross_entropy_kernel<<<(unsigned)N, kThreads, 0, as_stream(stream)>>>(logits, targets, losses, dlogits, V,
                                                                          ignore_index, label_smoothing, scale);
  return launch_status();
}

DQW_API int32_t dqw_cuda_kl_divergence(const float* student, const float* teacher, const int32_t* mask,
                                       float* losses, float* dstudent, int64_t N, int64_t V, float temperature,
                                       float scale, void* stream) {
  if (!student || !teacher || !losses || N < 0 || V < 1 || !(temperature > 0.0f) || N > 2147483647LL) return kInvalid;
  if (N == 0) return 0;
  kl_kernel<<<(unsigned)N, kThreads, 0, as_stream(stream)>>>(student, teacher, mask, losses, dstudent, V, temperature,
                                                               scale);
  return launch_status();
}

DQW_API int32_t dqw_cuda_adamw_step(float* param, const float* grad, float* m, float* v, int64_t n, float lr,
                                    float beta1, float beta2, float eps, float weight_decay, float grad_scale,
                                    int64_t step, void* stream) {
  if (n < 0 || step < 1 || (n > 0 && (!param || !grad || !m || !v))) return kInvalid;
  if (n == 0) return 0;
  const float bc1 = (float)(1.0 - pow((double)beta1, (double)step));
  const float bc2 = (float)(1.0 - pow((double)beta2, (double)step));
  adamw_kernel<<<blocks_for(n, kThreads, 65535LL * 16), kThreads, 0, as_stream(stream)>>>(
      param, grad, m, v, n, lr, beta1, beta2, eps, weight_decay, grad_scale, bc1, bc2);
  return launch_status();
}

}  // extern "C"
