/* Distillation loss kernels: the hidden-state distance of DQ-Whisper (softmax over the features of each
 * token, then squared error) on probabilities computed beforehand (dqw_nn_softmax_rows_f32 of h / T).
 *
 * ps, pt: F32 [rows, f] row-major (row stride f): softmax(h_S / T) and softmax(A h_T / T) per row.
 * mask: S32 [rows] of 0/1 (nullable = every row counts); a 0 row gives loss 0 and zero gradient.
 * Plain C++ (memory-bound, no transcendental functions; one implementation for every ISA); rows are
 * split over the threads, every row is computed by one thread in a fixed order, so results are
 * bit-identical for any thread count.
 */
#ifndef DQW_DISTILL_H
#define DQW_DISTILL_H
#include "dqw/api.h"

DQW_EXTERN_C_BEGIN

/* row_loss[r] = T^2 * sum_k (ps[r][k] - pt[r][k])^2, summed in double and rounded once (0 for masked
 * rows). row_loss: F32 [rows]. */
DQW_API void dqw_softmax_mse_rows_f32(const float* ps, const float* pt, const int32_t* mask, float* row_loss,
                                      int64_t rows, int64_t f, float temperature);

/* Gradients of scale * row_loss[r] (h_S and a = A h_T being the softmax inputs before the division by T),
 * with d = ps - pt:
 *   dhs[r][k] (+)=  scale * 2T * ps[r][k] * (d[r][k] - sum_j d[r][j] ps[r][j])
 *   dat[r][k] (+)= -scale * 2T * pt[r][k] * (d[r][k] - sum_j d[r][j] pt[r][j])
 * (row dots in double). dhs and dat are nullable, F32 [rows, f], and must not overlap ps, pt or each
 * other; accumulate != 0 adds to them, else overwrites (masked rows: += 0, or 0). */
DQW_API void dqw_softmax_mse_backward_f32(const float* ps, const float* pt, const int32_t* mask, float* dhs,
                                          float* dat, int64_t rows, int64_t f, float temperature, float scale,
                                          int32_t accumulate);

DQW_EXTERN_C_END
#endif
