/* INT4-weight GEMM for Linear layers: symmetric s8 activations (per row, the INT8 GEMM's dynamic
 * quantization) x symmetric INT4 weights with one F32 scale per (output channel, group of K).
 *
 * Weight format (the export format; dqw_int4_pack turns it into the kernel layout):
 *   nibbles: U8 [N, ceil(K/2)] (row stride ldb bytes): byte j of row n holds k = 2j in its LOW nibble
 *            (bits 0-3) and k = 2j+1 in its HIGH nibble (bits 4-7), each a 4-bit two's-complement
 *            integer q in [-8, 7] (the symmetric quantizer writes [-7, 7]). For odd K the last high
 *            nibble is padding and is ignored.
 *   scales:  F32 [N, G] (row stride lds), G = ceil(K / group); group g of row n covers
 *            k in [g*group, min(K, (g+1)*group)) (the last group is shorter when group does not divide K).
 *   group:   a multiple of 4 (32, 64, 128 in practice), or >= K (one group per row: per-channel).
 *   The weight is W[n][k] = q[n][k] * scale[n][k / group].
 *
 * Result, with a[m][k] s8 and a_scale[m] (per-row activation scale):
 *   acc[m][n][g] = sum over k in group g of a[m][k] * q[n][k]            (exact s32)
 *   f = 0; for g = 0 .. G-1:  f = fmaf((float) acc[m][n][g], scale[n][g], f)
 *   y[m][n] = (flags & DQW_EPI_BIAS) ? fmaf(f, a_scale[m], bias[n]) : f * a_scale[m]
 *   then with DQW_EPI_GELU the INT8 GEMM's exact-erf GELU (gemm_int8.h).
 * Every ISA path (scalar, AVX2, AVX-512 VNNI) performs exactly these float operations, so results are
 * bit-identical across paths and for any thread count (the work is split over output tiles only).
 * Row strides (lda, ldy, ldx) are in elements and must be >= the row length.
 */
#ifndef DQW_GEMM_INT4_H
#define DQW_GEMM_INT4_H
#include "dqw/api.h"

#define DQW_INT4_MAX_K 131071
#define DQW_INT4_OK 0
#define DQW_INT4_BAD_ARGS (-1) /* null pointer, bad dimension / stride / group */
#define DQW_INT4_BAD_PACK (-2) /* the packed buffer does not match (n, k) or is not an INT4 pack */

DQW_EXTERN_C_BEGIN

/* Bytes of the kernel layout of W[n, k] with this group (n >= 1, 1 <= k <= DQW_INT4_MAX_K, group a
 * multiple of 4 or >= k); -1 when invalid. 64-byte alignment (dqw_alloc) is best. */
DQW_API int64_t dqw_int4_packed_bytes(int32_t n, int32_t k, int32_t group);

/* Packs nibbles + scales (format above; scales are copied into the pack) into the kernel layout:
 * a 64-byte header; panels of 32 output columns, each [ceil(k/4) quads][64 bytes], byte 4c + j of
 * quad q holding (q[col c][4q+j] + 8) in its low nibble and (q[col c+16][4q+j] + 8) in its high
 * nibble (padding: 8, weight 0); then per panel [G][32] F32 scales (padding columns 0).
 * Returns DQW_INT4_OK or DQW_INT4_BAD_ARGS. */
DQW_API int32_t dqw_int4_pack(const uint8_t* nibbles, int64_t ldb, const float* scales, int64_t lds, int32_t n,
                              int32_t k, int32_t group, void* packed);

/* Exact per-group integer sums (for tests and checks): c[M][N][G] (contiguous) = acc[m][n][g]. */
DQW_API int32_t dqw_int4_gemm_group_s32(const int8_t* a, int64_t lda, int32_t m, int32_t k, const void* packed,
                                        int32_t n, int32_t* c);

/* y[M, N] (F32, row stride ldy) from a[M, K] (S8) and a_scale[M] with the epilogue above; bias F32 [N]
 * is read only with DQW_EPI_BIAS. Returns DQW_INT4_OK, BAD_ARGS or BAD_PACK. */
DQW_API int32_t dqw_int4_gemm_f32(const int8_t* a, int64_t lda, const float* a_scale, int32_t m, int32_t k,
                                  const void* packed, const float* bias, int32_t n, float* y, int64_t ldy,
                                  int32_t flags);

/* INT4 Linear: y = gemm_f32(dqw_quantize_rows_s8(x[M, K])). work_q: S8 [M, K] (contiguous) and
 * work_scale: F32 [M] are caller-owned scratch (on return: the quantized rows and their scales). */
DQW_API int32_t dqw_int4_linear(const float* x, int64_t ldx, int32_t m, int32_t k, const void* packed,
                                const float* bias, int32_t n, float* y, int64_t ldy, int32_t flags,
                                int8_t* work_q, float* work_scale);

DQW_EXTERN_C_END
#endif
