/* CUDA kernels (libdqw_cuda.so). Every function launches asynchronously on `stream` (a cudaStream_t
 * as void*, NULL = legacy default stream) and returns a cudaError_t as int32: 0 when the launch was
 * accepted, cudaErrorInvalidValue (1) for arguments it rejects (null pointers, negative or
 * unsupported sizes), a launch error otherwise; faults inside a kernel surface at the next
 * synchronization. The stub library (built without nvcc) returns DQW_CUDA_NOT_BUILT from all.
 *
 * All pointers are device pointers. Matrices are row-major with row strides in elements
 * (ld >= row length). Shapes are in brackets, outermost first. Element types are given by the
 * DQW_CUDA_F32 / F16 / BF16 codes where a function accepts several. The Java side
 * (org.dqwhisper.cuda.CudaKernels) checks shapes and sizes before calling; these functions check
 * only what they need to stay memory safe for well-formed sizes.
 *
 * Determinism: no kernel uses floating-point atomics; every reduction has a fixed order, so repeated
 * calls give bit-identical results on the same device. The tensor-core GEMMs choose a kernel
 * configuration per call shape once per process (autotuned, see dqw/cuda_gemm_config.h); INT8 results
 * never depend on it; FP16 / BF16 results depend only on the split-K count, which the autotuner leaves at 1
 * (a forced configuration may set it).
 */
#ifndef DQW_CUDA_KERNELS_H
#define DQW_CUDA_KERNELS_H
#include "dqw/api.h"

/* element type codes */
#define DQW_CUDA_F32 0
#define DQW_CUDA_F16 1
#define DQW_CUDA_BF16 2

/* K limit of the INT8 GEMM: |s8 * s8| <= 128*128, so the s32 accumulator is exact for K <= this. */
#define DQW_CUDA_INT8_MAX_K 131071

/* floats of scratch the per-tensor fake-quant backward needs */
#define DQW_CUDA_FQ_WORK_FLOATS 2048

/* fake-quant granularity */
#define DQW_FQ_PER_TENSOR 0
#define DQW_FQ_PER_CHANNEL 1 /* one scale per row n of x[N,K] */
#define DQW_FQ_PER_GROUP 2   /* one scale per run of `group` elements along K in each row */

DQW_EXTERN_C_BEGIN

/* ---- conversions -------------------------------------------------------------------------------- */

/* src [n] of type src_dtype -> dst [n] of type dst_dtype (round-to-nearest-even into F16/BF16). */
DQW_API int32_t dqw_cuda_convert(const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype, int64_t n,
                                 void* stream);

/* ---- INT8 (see gemm_int8.h for the CPU twin; the numerics are the same) -------------------------- */

/* x F32 [m,k] (row stride ldx) -> q S8 [m,k] (row stride ldq), scale F32 [m]. Per row:
 * amax = max|x|, inv = 127.0f / amax, q = clamp(rint(x * inv), -127, 127) (float math, round half
 * to even), scale = amax / 127.0f; a row whose inv is not finite gets q = 0 and scale = 0.
 * Bit-identical to dqw_quantize_rows_s8. */
DQW_API int32_t dqw_cuda_quantize_rows_s8(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q,
                                          int64_t ldq, float* scale, void* stream);

/* Exact s32 GEMM on tensor cores: c[m,n] (row stride ldc) = a[m,k] (S8, lda) . w[n,k]^T (S8, ldw).
 * 1 <= k <= DQW_CUDA_INT8_MAX_K; any m, n >= 1. */
DQW_API int32_t dqw_cuda_gemm_s8_s32(const int8_t* a, int64_t lda, const int8_t* w, int64_t ldw, int32_t* c,
                                     int64_t ldc, int32_t m, int32_t n, int32_t k, void* stream);

/* Dequantizing INT8 GEMM: with acc the exact s32 dot product of row m of a and row n of w,
 *   s = a_scale[m] * w_scale[n]; v = (float)acc;
 *   y = (flags & DQW_EPI_BIAS) ? fmaf(v, s, bias[n]) : v * s;  then with DQW_EPI_GELU
 *   y = 0.5 y (1 + erf(y / sqrt 2)).
 * a S8 [m,k], a_scale F32 [m], w S8 [n,k], w_scale F32 [n], bias F32 [n] (only read with
 * DQW_EPI_BIAS), y F32 [m,n] (row stride ldy). */
DQW_API int32_t dqw_cuda_gemm_s8_f32(const int8_t* a, int64_t lda, const float* a_scale, const int8_t* w,
                                     int64_t ldw, const float* w_scale, const float* bias, float* y, int64_t ldy,
                                     int32_t m, int32_t n, int32_t k, int32_t flags, void* stream);

/* ---- FP16 / BF16 GEMM on tensor cores, FP32 accumulation ----------------------------------------- */

/* y[m,n] = a[m,k] . w[n,k]^T (+ bias[n]) (-> exact-erf GELU), accumulated in FP32.
 * dtype: DQW_CUDA_F16 or DQW_CUDA_BF16 for a and w. y_dtype: DQW_CUDA_F32 or the same as dtype
 * (rounded to nearest even once, after the epilogue). bias F32 [n]. */
DQW_API int32_t dqw_cuda_gemm_half(int32_t dtype, const void* a, int64_t lda, const void* w, int64_t ldw,
                                   const float* bias, void* y, int64_t ldy, int32_t y_dtype, int32_t m, int32_t n,
                                   int32_t k, int32_t flags, void* stream);

/* ---- attention ------------------------------------------------------------------------------------
 * q [B,Tq,H*Dh], k and v [Bk,Tk,H*Dh] with Bk == B or Bk == 1 (one K/V shared by every batch row);
 * head h is the column slice h*Dh .. h*Dh+Dh-1. Scores are (q . k) / sqrt(Dh).
 * causal_offset < 0: no mask; >= 0: query i sees keys j <= causal_offset + i, and then
 * causal_offset + Tq <= Tk is required. Tk >= 1, 1 <= Dh <= 128.
 * dtype is the element type of q, k, v, out (and dout): F16 or BF16 (F32 is accepted too and runs the
 * generic CUDA-core kernel). F16/BF16 with Dh == 64 and 16-byte aligned pointers run on tensor cores;
 * everything else runs the generic kernel (FP32 math). lse [B,H,Tq] F32 = natural log of each
 * row's softmax denominator, max + log(sum exp(score - max)). */
DQW_API int32_t dqw_cuda_attention_forward(int32_t dtype, const void* q, const void* k, const void* v, void* out,
                                           float* lse, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads,
                                           int64_t head_dim, int64_t causal_offset, void* stream);

/* The same forward, always on the generic CUDA-core kernel (a cross-check for the tensor-core path). */
DQW_API int32_t dqw_cuda_attention_forward_generic(int32_t dtype, const void* q, const void* k, const void* v,
                                                   void* out, float* lse, int64_t B, int64_t Bk, int64_t Tq,
                                                   int64_t Tk, int64_t heads, int64_t head_dim,
                                                   int64_t causal_offset, void* stream);

/* Backward: q, k, v, out, dout (dtype) and lse (from the forward) -> dq F32 [B,Tq,H*Dh],
 * dk, dv F32 [Bk,Tk,H*Dh] (overwritten; with Bk == 1 they sum over the B rows).
 * work F32 [B,H,Tq] is scratch (rowsum(dout * out)). Probabilities are recomputed from lse. */
DQW_API int32_t dqw_cuda_attention_backward(int32_t dtype, const void* q, const void* k, const void* v,
                                            const void* out, const float* lse, const void* dout, float* dq,
                                            float* dk, float* dv, float* work, int64_t B, int64_t Bk, int64_t Tq,
                                            int64_t Tk, int64_t heads, int64_t head_dim, int64_t causal_offset,
                                            void* stream);

/* Naive materialized attention (the baseline the fused kernel is compared with): scores F32
 * [B,H,Tq,Tk] are written to `scores` (caller-owned scratch), softmaxed in place, then multiplied
 * by v. Same arguments and outputs as the forward (lse included). */
DQW_API int32_t dqw_cuda_attention_naive(int32_t dtype, const void* q, const void* k, const void* v, void* out,
                                         float* lse, float* scores, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk,
                                         int64_t heads, int64_t head_dim, int64_t causal_offset, void* stream);

/* ---- fake quantization (quantization-aware training), x F32 [N,K] ---------------------------------
 * Groups: PER_TENSOR one scale; PER_CHANNEL one per row (N scales); PER_GROUP one per run of
 * `group` (32, 64 or 128) elements along K in each row, the last run of a row may be shorter
 * (N * ceil(K/group) scales, index n * ceil(K/group) + kk / group).
 * bits 2..8. Symmetric: qmin = -(2^(bits-1) - 1), qmax = 2^(bits-1) - 1, zero points ignored (0).
 * Asymmetric: qmin = 0, qmax = 2^bits - 1, zero[g] used as given (pass integral values).
 * Forward: q = clamp(rint(x / s) + z, qmin, qmax), y = s * (q - z)  (IEEE float division).
 * Scales must be > 0. */
DQW_API int32_t dqw_cuda_fake_quant_forward(const float* x, float* y, const float* scale, const float* zero,
                                            int64_t N, int64_t K, int32_t granularity, int32_t group,
                                            int32_t bits, int32_t symmetric, void* stream);

/* Backward with v = x / s + z:
 *   dx = dy where qmin <= v <= qmax, else 0 (straight-through estimator with clipping);
 *   dscale[g] = grad_scale * sum_g dy * (rint(v) - v inside, qmin - z below, qmax - z above)  (LSQ);
 *   dzero[g]  = grad_scale * sum_g dy * (0 inside, -s outside)   (asymmetric only; nullable).
 * dx, dscale overwritten (dscale nullable). work: DQW_CUDA_FQ_WORK_FLOATS floats of scratch,
 * required for PER_TENSOR when dscale or dzero is requested (else nullable). */
DQW_API int32_t dqw_cuda_fake_quant_backward(const float* x, const float* dy, const float* scale, const float* zero,
                                             float* dx, float* dscale, float* dzero, float* work, int64_t N,
                                             int64_t K, int32_t granularity, int32_t group, int32_t bits,
                                             int32_t symmetric, float grad_scale, void* stream);

/* Min/max initialisation of scales (and zero points): symmetric s = max|x| / qmax; asymmetric
 * s = (max(x,0) - min(x,0)) / (qmax - qmin), z = clamp(rint(qmin - min(x,0) / s), qmin, qmax).
 * A group of zeros gets s = 1 (and z = 0). zero nullable for symmetric. */
DQW_API int32_t dqw_cuda_fake_quant_init_scales(const float* x, float* scale, float* zero, int64_t N, int64_t K,
                                                int32_t granularity, int32_t group, int32_t bits,
                                                int32_t symmetric, void* stream);

/* ---- layer norm, GELU, softmax (F32) -------------------------------------------------------------- */

/* x [M,D], gamma [D], beta [D] -> y [M,D] = (x - mean) * rstd * gamma + beta with biased variance;
 * mean [M], rstd [M] = 1/sqrt(var + eps) stored when non-null. y may be x. */
DQW_API int32_t dqw_cuda_layernorm_forward(const float* x, const float* gamma, const float* beta, float* y,
                                           float* mean, float* rstd, int64_t M, int64_t D, float eps, void* stream);
/* dy [M,D], x [M,D], gamma [D], mean [M], rstd [M] -> dx [M,D] (= or += with accumulate_dx),
 * dgamma [D] += sum_m dy * xhat, dbeta [D] += sum_m dy (each nullable). dx may be dy unless
 * accumulating. */
DQW_API int32_t dqw_cuda_layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                                            const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t M,
                                            int64_t D, int32_t accumulate_dx, void* stream);

/* x [n] -> y [n] = x * Phi(x) (exact erf). y may be x. */
DQW_API int32_t dqw_cuda_gelu_forward(const float* x, float* y, int64_t n, void* stream);
/* x [n], dy [n] -> dx [n] = dy * (Phi(x) + x * phi(x)). dx may be dy. */
DQW_API int32_t dqw_cuda_gelu_backward(const float* x, const float* dy, float* dx, int64_t n, void* stream);

/* x [M,N] -> y [M,N] = softmax of each row. y may be x. */
DQW_API int32_t dqw_cuda_softmax_forward(const float* x, float* y, int64_t M, int64_t N, void* stream);
/* y [M,N] (forward output), dy [M,N] -> dx [M,N] = y * (dy - sum_n(dy * y)). dx may be dy. */
DQW_API int32_t dqw_cuda_softmax_backward(const float* y, const float* dy, float* dx, int64_t M, int64_t N,
                                          void* stream);

/* ---- embeddings ------------------------------------------------------------------------------------- */

/* table [V,D], ids [N] -> out [N,D] = table[ids[n]]; ids outside [0,V) give a row of zeros. */
DQW_API int32_t dqw_cuda_embedding_forward(const float* table, const int32_t* ids, float* out, int64_t V, int64_t D,
                                           int64_t N, void* stream);
/* dout [N,D], ids [N] -> dtable [V,D] += dout[n] at row ids[n], summed in n order (deterministic);
 * ids outside [0,V) are skipped. */
DQW_API int32_t dqw_cuda_embedding_backward(const float* dout, const int32_t* ids, float* dtable, int64_t V,
                                            int64_t D, int64_t N, void* stream);

/* ---- losses (one row per token) --------------------------------------------------------------------- */

/* logits [N,V], targets [N] -> losses [N] = (1-eps) * (-log p[target]) + eps * mean_v(-log p[v]),
 * p = softmax(row). Rows with target == ignore_index (or outside [0,V)) give loss 0 and zero gradient.
 * dlogits [N,V] (nullable; may be logits) = scale * (p - (1-eps) * onehot(target) - eps / V). */
DQW_API int32_t dqw_cuda_cross_entropy(const float* logits, const int32_t* targets, float* losses, float* dlogits,
                                       int64_t N, int64_t V, int32_t ignore_index, float label_smoothing,
                                       float scale, void* stream);

/* student [N,V], teacher [N,V], mask [N] (nullable; 0 = skip row) -> losses [N] =
 * T^2 * KL(softmax(teacher/T) || softmax(student/T)) (0 for masked rows), dstudent [N,V] (nullable;
 * may be student) = scale * T * (softmax(student/T) - softmax(teacher/T)) (0 for masked rows). */
DQW_API int32_t dqw_cuda_kl_divergence(const float* student, const float* teacher, const int32_t* mask,
                                       float* losses, float* dstudent, int64_t N, int64_t V, float temperature,
                                       float scale, void* stream);

/* ---- optimizer ---------------------------------------------------------------------------------------- */

/* AdamW (PyTorch semantics, decoupled weight decay), element-wise over n, step >= 1:
 *   g = grad * grad_scale; p -= lr * weight_decay * p;
 *   m = beta1 m + (1-beta1) g;  v = beta2 v + (1-beta2) g^2;
 *   p -= lr * (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + eps). */
DQW_API int32_t dqw_cuda_adamw_step(float* param, const float* grad, float* m, float* v, int64_t n, float lr,
                                    float beta1, float beta2, float eps, float weight_decay, float grad_scale,
                                    int64_t step, void* stream);

DQW_EXTERN_C_END
#endif
