/* Fake quantization (quantize, then dequantize, in FP32) of Linear weights and activations, forward
 * and backward, for quantization-aware training (DQ-Whisper).
 *
 * Tensors: W[N,K] row-major (Linear layout, out x in; row stride ldw in elements, >= K). The same
 * functions quantize activations X[M,K] per row (granularity PER_CHANNEL over the rows).
 *
 * Scales. One scale per segment of W:
 *   DQW_FQ_PER_TENSOR:  one scale for the whole tensor (count 1);
 *   DQW_FQ_PER_CHANNEL: one per output row n (count N, index n);
 *   DQW_FQ_PER_GROUP:   one per row n and run of `group` consecutive k (count N * ceil(K/group), index
 *                       n * ceil(K/group) + k / group; the last group of a row is shorter when group
 *                       does not divide K).
 * Every scale comes with `inv` (the multiplier applied before rounding) and `zero` (the zero point,
 * an integer-valued float; 0 for the symmetric schemes). Per element, with v = w * inv:
 *   q  = clamp(rint(v) + zero, lo, hi)       (rint = round half to even, in float)
 *   w^ = (q - zero) * scale
 * Schemes (b = bits, 2..8):
 *   DQW_FQ_SYMMETRIC:  lo = -(2^(b-1)-1), hi = 2^(b-1)-1 = Q (restricted range, zero point 0). From
 *       data: amax = max|w| over the segment; inv = (float)Q / amax; scale = amax / (float)Q. For b = 8
 *       this is exactly dqw_quantize_rows_s8's row formula (gemm_int8.h), so PER_CHANNEL 8-bit weights
 *       reproduce the INT8 GEMM's weight quantization and per-row 8-bit activations its activation
 *       quantization, bit for bit.
 *   DQW_FQ_ASYMMETRIC: lo = 0, hi = 2^b-1 = L. From data: mn = min(min w, 0), mx = max(max w, 0) (the
 *       range always holds 0, as PyTorch's observers do, so 0 is exactly representable);
 *       inv = (float)L / (mx - mn); scale = (mx - mn) / (float)L; zero = clamp(rint(-mn * inv), 0, L).
 *   DQW_FQ_SIGNED_MAX: the DQ-Whisper authors' quantizer, only to reproduce their runs: m = max(w)
 *       (signed, not max|w|), inv = (float)Q / m, scale = m / (float)Q, and NO clamp (lo = -inf,
 *       hi = +inf): weights below -m land beyond -Q levels. The authors compute round(w / m * Q) / Q * m;
 *       this is the same grid with the rounding argument computed as w * (Q / m).
 * A segment whose inv would not be finite (all zeros, or a range below ~1e-37; for SIGNED_MAX also
 * m == 0) gets scale = inv = zero = 0, so w^ = 0, as the INT8 GEMM does for an all-zero row.
 * Given scales (learned step size, or frozen): inv = 1 / scale in float (0 where scale is 0).
 *
 * Backward (straight-through estimator with clipping): dw = dw^ where the clamp did not act, i.e.
 * lo <= rint(v) + zero <= hi, and 0 where it clipped. With scales from data nothing clips (the range
 * covers the segment), so dw = dw^ there.
 * Learned step size (LSQ, Esser et al. 2020; symmetric only): with v = w * inv unrounded,
 *   inside = -Q < v < Q;  dw = inside ? dw^ : 0;
 *   dscale = g * sum over the segment of dw^ * (inside ? rint(v) - v : (v <= -Q ? -Q : Q)),
 *   g = 1 / sqrt(count * Q), count = elements of the segment (N*K per tensor, K per channel, the
 *   group's length per group).
 * The dscale sum runs in double over 16 interleaved partial sums (element i of a segment into
 * partial i % 16, then the 16 added in order); every product is exact in double, so every ISA path
 * gives the same bits.
 *
 * All values must be finite. Work is split over rows only: results are bit-identical for any thread
 * count and (with -ffp-contract=off) for every ISA path (scalar, AVX2, AVX-512).
 * Functions return DQW_FQ_OK or DQW_FQ_BAD_ARGS (null pointer, bad dimension / stride / bits /
 * granularity / group / scheme, LSQ gradient with a non-symmetric scheme).
 */
#ifndef DQW_FAKE_QUANT_H
#define DQW_FAKE_QUANT_H
#include "dqw/api.h"

#define DQW_FQ_OK 0
#define DQW_FQ_BAD_ARGS (-1)

#define DQW_FQ_PER_TENSOR 0
#define DQW_FQ_PER_CHANNEL 1
#define DQW_FQ_PER_GROUP 2

#define DQW_FQ_SYMMETRIC 0
#define DQW_FQ_ASYMMETRIC 1
#define DQW_FQ_SIGNED_MAX 2

DQW_EXTERN_C_BEGIN

/* Number of scales for W[n, k] under a granularity (group used only by PER_GROUP), or -1 if invalid. */
DQW_API int64_t dqw_fq_num_scales(int32_t n, int32_t k, int32_t granularity, int32_t group);

/* Forward: wq[n, k] (row stride ldq; may be w itself when ldq == ldw) = fake-quant(w[n, k]).
 * scales_from_data != 0: computes and writes scale, inv, zero [num_scales] from w (see above).
 * scales_from_data == 0: reads scale [num_scales] (and zero for ASYMMETRIC; zero may be NULL for the
 * symmetric schemes) and writes inv = 1/scale. scale, inv and zero must not overlap w or wq. */
DQW_API int32_t dqw_fq_forward(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity,
                               int32_t group, int32_t bits, int32_t scheme, int32_t scales_from_data,
                               float* scale, float* inv, float* zero, float* wq, int64_t ldq);

/* Backward: dw[n, k] (row stride lddw) = (accumulate ? dw : 0) + STE-with-clipping(dwq[n, k]) with
 * scale/inv/zero as written by the forward. dscale [num_scales] (nullable; symmetric scheme only):
 * (accumulate ? dscale : 0) + the LSQ gradient; when dscale is given, dw uses LSQ's strict "inside".
 * dw must not overlap w or dwq unless dw == dwq with the same stride (in place). */
DQW_API int32_t dqw_fq_backward(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity,
                                int32_t group, int32_t bits, int32_t scheme, const float* scale,
                                const float* inv, const float* zero, const float* dwq, int64_t lddq,
                                float* dw, int64_t lddw, int32_t accumulate, float* dscale);

/* Integer codes of the forward: codes[n, k] (row stride ldc, bytes) = q, as int8 for SYMMETRIC
 * (in [-Q, Q]) or uint8 for ASYMMETRIC (in [0, L]); SIGNED_MAX has no bounded codes (BAD_ARGS).
 * scale/inv/zero as written by dqw_fq_forward. */
DQW_API int32_t dqw_fq_codes(const float* w, int64_t ldw, int32_t n, int32_t k, int32_t granularity,
                             int32_t group, int32_t bits, int32_t scheme, const float* inv,
                             const float* zero, void* codes, int64_t ldc);

DQW_EXTERN_C_END
#endif
