/* INT8 GEMM for Linear layers: symmetric s8 activations (per row) x s8 weights (per output channel),
 * exact s32 accumulation, fused dequantization / bias / exact-erf GELU epilogue.
 *
 * Conventions (PyTorch Linear): weights W[N,K] row-major (out x in), activations A[M,K], outputs
 * C[M,N] = A . W^T. Row strides (lda, ldq, ldc, ldy, ldx) are in elements and must be >= the row
 * length. All functions are thread-safe and use the dqw thread pool (dqw_set_num_threads); the work
 * is split over output tiles only (never over K), and every result is bit-identical for any thread
 * count and for every ISA path (scalar, AVX2, AVX-512 VNNI).
 *
 * Exactness: the s32 accumulators are exact for any s8 inputs as long as K <= DQW_INT8_MAX_K
 * (128*128*K < 2^31). The functions return DQW_INT8_BAD_ARGS for larger K.
 */
#ifndef DQW_GEMM_INT8_H
#define DQW_GEMM_INT8_H
#include "dqw/api.h"

#define DQW_INT8_MAX_K 131071
/* Status codes. */
#define DQW_INT8_OK 0
#define DQW_INT8_BAD_ARGS (-1) /* null pointer, negative/oversized dimension, stride too small */
#define DQW_INT8_BAD_PACK (-2) /* packed buffer header does not match (n, k) or is not a pack */

DQW_EXTERN_C_BEGIN

/* Dynamic symmetric row quantization. x: F32 [m, k] (row stride ldx) -> q: S8 [m, k] (row stride
 * ldq), scale: F32 [m]. Per row: amax = max|x|; inv = 127.0f / amax; q = clamp(rint(x * inv),
 * -127, 127) with float math and round-half-even; scale = amax / 127.0f. A row whose inv is not
 * finite (all zeros, or amax < ~3.7e-37) gets q = 0 and scale = 0. Inputs must be finite.
 * Returns DQW_INT8_OK or DQW_INT8_BAD_ARGS. */
DQW_API int32_t dqw_quantize_rows_s8(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q,
                                     int64_t ldq, float* scale);

/* Bytes needed by dqw_int8_pack for W[n, k] (n >= 1, 1 <= k <= DQW_INT8_MAX_K); -1 when invalid.
 * The buffer should be 64-byte aligned (dqw_alloc) for speed; any alignment is correct. */
DQW_API int64_t dqw_int8_packed_bytes(int32_t n, int32_t k);

/* Packs s8 W[n, k] (row-major, Linear layout) into the one kernel layout every ISA path reads:
 * a 64-byte header, then panels of 32 output columns, each [ceil(k/4)][32 columns][4 k] bytes
 * holding w + 128 (u8), k padded with 128 (zero weight). Returns DQW_INT8_OK / BAD_ARGS. */
DQW_API int32_t dqw_int8_pack(const int8_t* w, int32_t n, int32_t k, void* packed);

/* Exact s32 GEMM: c[M, N] (row stride ldc) = a[M, K] (S8, row stride lda) . W^T.
 * n, k must match the pack. Returns DQW_INT8_OK, BAD_ARGS or BAD_PACK. */
DQW_API int32_t dqw_int8_gemm_s32(const int8_t* a, int64_t lda, int32_t m, int32_t k, const void* packed,
                                  int32_t n, int32_t* c, int64_t ldc);

/* Dequantizing GEMM: y[M, N] (F32, row stride ldy). With acc the exact s32 accumulator,
 *   s = a_scale[m] * w_scale[n];  v = (float)acc;
 *   y = (flags & DQW_EPI_BIAS) ? fmaf(v, s, bias[n]) : v * s;   then, with DQW_EPI_GELU,
 *   y = 0.5 y (1 + erf(y / sqrt 2))  (vectorized: interval polynomials for |y| <= 6.1, exp/erfcx
 *   below; max rel. error 3.8e-7 vs exact; 0 where |GELU| < 2.3e-34, +inf -> +inf, -inf -> 0).
 * a_scale: F32 [M], w_scale: F32 [N], bias: F32 [N] (read only with DQW_EPI_BIAS; may be NULL
 * otherwise). Returns DQW_INT8_OK, BAD_ARGS or BAD_PACK. */
DQW_API int32_t dqw_int8_gemm_f32(const int8_t* a, int64_t lda, const float* a_scale, int32_t m, int32_t k,
                                  const void* packed, const float* w_scale, const float* bias, int32_t n,
                                  float* y, int64_t ldy, int32_t flags);

/* Fused INT8 Linear: y[M, N] = gemm_f32(quantize_rows_s8(x[M, K])) with the epilogue above.
 * work_q: S8 [M, K] (contiguous, row stride k) and work_scale: F32 [M] are scratch owned by the
 * caller (on return they hold the quantized rows and their scales). Bit-identical to calling
 * dqw_quantize_rows_s8 then dqw_int8_gemm_f32. Returns DQW_INT8_OK, BAD_ARGS or BAD_PACK. */
DQW_API int32_t dqw_int8_linear(const float* x, int64_t ldx, int32_t m, int32_t k, const void* packed,
                                const float* w_scale, const float* bias, int32_t n, float* y, int64_t ldy,
                                int32_t flags, int8_t* work_q, float* work_scale);

/* The GELU of the epilogue on its own, element-wise over x[n] -> y[n] (may alias), with the same
 * numerics as the active ISA path (all paths give identical results). For tests. */
DQW_API void dqw_int8_gelu_f32(const float* x, float* y, int64_t n);

DQW_EXTERN_C_END
#endif
