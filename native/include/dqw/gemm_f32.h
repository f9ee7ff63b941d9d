/* FP32 GEMM (SGEMM) for FP32 inference (Linear, conv1d via im2col) and all training gradients.
 *
 * Row-major throughout. op(A) is [m,k] and op(B) is [k,n]:
 *   A stored [m,k] (lda >= k), or [k,m] when trans_a (lda >= m);
 *   B stored [k,n] (ldb >= n), or [n,k] when trans_b (ldb >= k);
 *   C stored [m,n] (ldc >= n). C must not overlap A, B or bias.
 * Result: C = epilogue((accumulate ? C : 0) + op(A)·op(B)), where epilogue adds bias[n] when
 * flags & DQW_EPI_BIAS and then applies the exact-erf GELU 0.5·x·(1 + erf(x/√2)) when
 * flags & DQW_EPI_GELU. k == 0 gives C = epilogue(accumulate ? C : 0).
 *
 * Numerics: every C element is summed in FP32 in increasing k order, starting from the old C
 * value (accumulate) or from the first product; the AVX2 / AVX-512 paths use fused multiply-adds,
 * the scalar path a separate multiply and add. The result does not depend on the thread count,
 * the blocking, or whether B was prepacked (only on the instruction-set path).
 *
 * Functions return 0 on success, DQW_GEMM_EINVAL when a dimension, stride, flag or pointer is
 * invalid (nothing is written then) and DQW_GEMM_ENOMEM when scratch memory runs out. The Java layer checks everything before calling, so this is a last
 * line of defence, not the error-reporting channel.
 */
#ifndef DQW_GEMM_F32_H
#define DQW_GEMM_F32_H
#include "dqw/api.h"

#define DQW_GEMM_EINVAL (-1) /* a dimension, stride, flag or pointer is invalid */
#define DQW_GEMM_ENOMEM (-2) /* scratch memory for packing could not be allocated */

DQW_EXTERN_C_BEGIN

/* C[m,n] = epilogue((accumulate ? C : 0) + op(A)[m,k] · op(B)[k,n]); bias[n] may be NULL unless
 * flags & DQW_EPI_BIAS. */
DQW_API int32_t dqw_sgemm(int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, int32_t accumulate,
                          const float* bias, int32_t flags);

/* Bytes needed to prepack weights W[n,k] (a multiple of 64; 0 when n or k is 0, -1 when negative).
 * Layout, the same for every instruction-set path: ceil(n/32) panels of 32 output columns, each
 * holding k rows of 32 floats (panel p, row kk, lane j = W[32p + j, kk]; lanes past n are zero). */
DQW_API int64_t dqw_sgemm_packed_bytes(int32_t n, int32_t k);

/* Packs W[n,k] (row stride ldw >= k) into `packed` (dqw_sgemm_packed_bytes(n, k) bytes, 64-byte
 * aligned). The pack serves Linear layers y = x·Wᵀ, i.e. op(B) = Wᵀ. */
DQW_API int32_t dqw_sgemm_pack(const float* w, int64_t ldw, int32_t n, int32_t k, float* packed);

/* Linear with prepacked weights: C[m,n] = epilogue((accumulate ? C : 0) + A[m,k] · Wᵀ), with W
 * packed by dqw_sgemm_pack(…, n, k, packed). Bit-identical to dqw_sgemm(0, 1, …) on the same W. */
DQW_API int32_t dqw_sgemm_packed(int32_t m, int32_t n, int32_t k, const float* a, int64_t lda, const float* packed,
                                 float* c, int64_t ldc, int32_t accumulate, const float* bias, int32_t flags);

/* Applies the epilogue alone to C[m,n] in place: bias[n] (flags & DQW_EPI_BIAS), then GELU
 * (flags & DQW_EPI_GELU). Exposed so tests can check the vectorized GELU on chosen inputs. */
DQW_API int32_t dqw_sgemm_epilogue(int32_t m, int32_t n, float* c, int64_t ldc, const float* bias, int32_t flags);

DQW_EXTERN_C_END
#endif
