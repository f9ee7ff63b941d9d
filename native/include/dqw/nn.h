/* Non-GEMM neural-network kernels for Whisper inference and training: forward and backward side by
 * side. All tensors are F32 (ids/targets/mask int32), dense, row-major and contiguous; shapes are
 * given in brackets, outermost first. The caller (org.dqwhisper.kernels.NnKernels) has checked every
 * shape, size, index and aliasing rule; these functions trust their arguments.
 *
 * Dispatch: each call runs the scalar, AVX2 or AVX-512 path chosen by dqw_cpu_active_isa().
 * Threads: work is split over independent outputs only (rows, columns, attention tiles), so the
 * result is bit-identical for every thread count (dqw_set_num_threads). Results may differ in the
 * last bits between ISA paths.
 * "+=" marks outputs that are accumulated into; everything else is overwritten.
 * Aliasing: an output may be the very same buffer as an input only where a function says so;
 * otherwise buffers must not overlap.
 */
#ifndef DQW_NN_H
#define DQW_NN_H
#include "dqw/api.h"

DQW_EXTERN_C_BEGIN

/* ---- LayerNorm over the last dimension (biased variance) ----------------------------------- */

/* x [M,D], gamma [D], beta [D] -> y [M,D] = (x - mean) * rstd * gamma + beta, with
 * mean [M] and rstd [M] = 1/sqrt(var + eps) stored when non-null (for the backward). y may be x. */
DQW_API void dqw_nn_layernorm_f32(const float* x, const float* gamma, const float* beta, float* y,
                                  float* mean, float* rstd, int64_t M, int64_t D, float eps);

/* dy [M,D], x [M,D], gamma [D], mean [M], rstd [M] (from the forward) ->
 * dx [M,D] (= or += when accumulate_dx != 0; dx may be dy when accumulate_dx == 0),
 * dgamma [D] += sum_m dy * xhat, dbeta [D] += sum_m dy (each nullable). */
DQW_API void dqw_nn_layernorm_backward_f32(const float* dy, const float* x, const float* gamma,
                                           const float* mean, const float* rstd, float* dx,
                                           float* dgamma, float* dbeta, int64_t M, int64_t D,
                                           int32_t accumulate_dx);

/* ---- GELU (exact erf form: x * Phi(x), Phi the standard normal CDF) ------------------------- */

/* x [n] -> y [n] = x * 0.5 * (1 + erf(x / sqrt 2)). y may be x. */
DQW_API void dqw_nn_gelu_f32(const float* x, float* y, int64_t n);
/* x [n], dy [n] -> dx [n] = dy * (Phi(x) + x * phi(x)). dx may be x or dy. */
DQW_API void dqw_nn_gelu_backward_f32(const float* x, const float* dy, float* dx, int64_t n);
/* x [n] -> y [n] = erf(x) (the vectorised approximation GELU uses). y may be x. */
DQW_API void dqw_nn_erf_f32(const float* x, float* y, int64_t n);

/* ---- element-wise / residual ------------------------------------------------------------------ */

/* y [n] += x [n]. */
DQW_API void dqw_nn_add_into_f32(float* y, const float* x, int64_t n);
/* a [n], b [n] -> y [n] = a + b. y may be a or b. */
DQW_API void dqw_nn_add_f32(const float* a, const float* b, float* y, int64_t n);
/* y [n] *= alpha. */
DQW_API void dqw_nn_scale_into_f32(float* y, float alpha, int64_t n);
/* y [M,N] += bias [N] on every row. */
DQW_API void dqw_nn_bias_add_f32(float* y, const float* bias, int64_t M, int64_t N);
/* dy [M,N] -> dbias [N] += sum over the M rows. */
DQW_API void dqw_nn_bias_grad_f32(const float* dy, float* dbias, int64_t M, int64_t N);

/* ---- softmax over rows -------------------------------------------------------------------------- */

/* x [M,N] -> y [M,N] = softmax of each row. y may be x. */
DQW_API void dqw_nn_softmax_rows_f32(const float* x, float* y, int64_t M, int64_t N);
/* y [M,N] (forward output), dy [M,N] -> dx [M,N] = y * (dy - sum_n(dy * y)). dx may be y or dy. */
DQW_API void dqw_nn_softmax_rows_backward_f32(const float* y, const float* dy, float* dx, int64_t M,
                                              int64_t N);

/* ---- attention (flash-style: tiled over keys, online softmax, no [Tq,Tk] matrix) --------------
 * q [B,Tq,H*Dh], k and v [Bk,Tk,H*Dh] with Bk == B or Bk == 1 (one K/V shared by all B rows, e.g.
 * cross-attention of several beams). Head h is the contiguous column slice h*Dh .. h*Dh+Dh-1.
 * Scores are (q . k) / sqrt(Dh). causal_offset < 0: no mask. causal_offset >= 0: the Tq queries sit
 * at key positions causal_offset .. causal_offset+Tq-1, and query i sees keys j <= causal_offset + i
 * (full causal prompt: causal_offset 0 with Tq == Tk; one new token after a cache of L tokens:
 * causal_offset L, Tk = L + 1). Requires causal_offset + Tq <= Tk, Tk >= 1, 1 <= Dh <= 256. */

/* -> out [B,Tq,H*Dh]; lse [B,H,Tq] (nullable) = natural log of the softmax denominator of each
 * row, max + log(sum exp(score - max)), kept for the backward. */
DQW_API void dqw_nn_attention_f32(const float* q, const float* k, const float* v, float* out,
                                  float* lse, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk,
                                  int64_t heads, int64_t head_dim, int64_t causal_offset);

/* The forward above with every query row computed exactly as a call with that row alone would compute it
 * (the one-row decoding path: keys scored in place, values weighted in place), bit for bit, while the
 * rows of a group (same b / Bk) share each key and value tile from cache. For several decoding rows over
 * one K/V, e.g. the beams of one window in cross-attention: B = 1, Tq = beams (no mask), or Bk = 1. */
DQW_API void dqw_nn_attention_rowwise_f32(const float* q, const float* k, const float* v, float* out,
                                          float* lse, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk,
                                          int64_t heads, int64_t head_dim, int64_t causal_offset);

/* q, k, v, out, lse as in the forward, dout [B,Tq,H*Dh] -> dq [B,Tq,H*Dh], dk [Bk,Tk,H*Dh],
 * dv [Bk,Tk,H*Dh] (all overwritten; with Bk == 1 dk/dv sum over the B rows). Probabilities are
 * recomputed from lse. */
DQW_API void dqw_nn_attention_backward_f32(const float* q, const float* k, const float* v,
                                           const float* out, const float* lse, const float* dout,
                                           float* dq, float* dk, float* dv, int64_t B, int64_t Bk,
                                           int64_t Tq, int64_t Tk, int64_t heads, int64_t head_dim,
                                           int64_t causal_offset);

/* ---- conv1d as im2col, transposition -------------------------------------------------------------
 * Tout = (T + 2*pad - kernel) / stride + 1. conv1d(x) = cols . W_flat^T with PyTorch's weight
 * [Cout,Cin,kernel] read as [Cout, Cin*kernel]. */

/* x [T,Cin] -> cols [Tout, Cin*kernel], cols[t][ci*kernel + kk] = x[t*stride + kk - pad][ci]
 * (0 outside [0,T)). */
DQW_API void dqw_nn_im2col1d_f32(const float* x, float* cols, int64_t T, int64_t Cin,
                                 int64_t kernel, int64_t stride, int64_t pad);
/* dcols [Tout, Cin*kernel] -> dx [T,Cin] (= or += when accumulate != 0): the adjoint of im2col. */
DQW_API void dqw_nn_col2im1d_f32(const float* dcols, float* dx, int64_t T, int64_t Cin,
                                 int64_t kernel, int64_t stride, int64_t pad, int32_t accumulate);
/* x [R,C] -> y [C,R] = x^T. */
DQW_API void dqw_nn_transpose2d_f32(const float* x, float* y, int64_t R, int64_t C);

/* ---- embeddings ----------------------------------------------------------------------------------- */

/* table [V,D], ids [N] (each in [0,V)) -> out [N,D], out[n] = table[ids[n]]. */
DQW_API void dqw_nn_embedding_lookup_f32(const float* table, const int32_t* ids, float* out,
                                         int64_t V, int64_t D, int64_t N);
/* dout [N,D], ids [N] -> dtable [V,D] += scatter: dtable[ids[n]] += dout[n], summed in n order
 * (deterministic: threads own column ranges, no atomics). */
DQW_API void dqw_nn_embedding_backward_f32(const float* dout, const int32_t* ids, float* dtable,
                                           int64_t V, int64_t D, int64_t N);
/* x [B,T,D] += pos[offset + t] for every batch row; pos [Tmax,D], offset + T <= Tmax. */
DQW_API void dqw_nn_add_positional_f32(float* x, const float* pos, int64_t B, int64_t T, int64_t D,
                                       int64_t offset);

/* ---- losses (per row; V up to the 51866-token vocabulary) -------------------------------------- */

/* logits [N,V], targets [N] -> losses [N] = (1-eps) * (-log p[target]) + eps * mean_v(-log p[v]),
 * p = softmax(row) (PyTorch's cross_entropy with label_smoothing eps). Rows whose target equals
 * ignore_index give loss 0 and zero gradient; other targets are in [0,V).
 * dlogits [N,V] (nullable; may be logits) = scale * (p - (1-eps) * onehot(target) - eps / V). */
DQW_API void dqw_nn_cross_entropy_f32(const float* logits, const int32_t* targets, float* losses,
                                      float* dlogits, int64_t N, int64_t V, int32_t ignore_index,
                                      float label_smoothing, float scale);

/* student [N,V], teacher [N,V], mask [N] (nullable, 0 = skip row) ->
 * losses [N] = T^2 * KL(softmax(teacher/T) || softmax(student/T)) (0 for masked rows),
 * dstudent [N,V] (nullable; may be student) = scale * T * (softmax(student/T) - softmax(teacher/T))
 * (0 for masked rows), the gradient of scale * losses[n] w.r.t. the student logits. */
DQW_API void dqw_nn_kl_divergence_f32(const float* student, const float* teacher,
                                      const int32_t* mask, float* losses, float* dstudent,
                                      int64_t N, int64_t V, float temperature, float scale);

/* x [N,V] -> idx [N] = the lowest index of each row's maximum, logp [N] = log softmax(row)[idx]
 * (greedy decoding's pick and its log-probability; the exponential sum in double). A row holding
 * NaN gives idx 0 and logp NaN. */
DQW_API void dqw_nn_argmax_log_softmax_rows_f32(const float* x, int32_t* idx, double* logp, int64_t N, int64_t V);

/* log(sum_j exp(x[j])) over x[from .. to) (one row of logits: the log-softmax denominator), computed as
 * m + log(sum exp(x - m)) with m the maximum, float exponentials summed in blocked double. -inf entries add
 * nothing. Non-finite (NaN, -inf) when every entry is -inf, an entry is NaN or +inf, or the range is empty. */
DQW_API double dqw_nn_log_sum_exp_f32(const float* x, int64_t from, int64_t to);

DQW_EXTERN_C_END
#endif
