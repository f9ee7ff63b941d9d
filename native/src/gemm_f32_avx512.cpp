// FP32 GEMM, AVX-512 path. Micro-kernel: R rows × NU panels of 32 columns, R·2·NU zmm
// accumulators (14 × 32 = 28 for full row groups; fewer rows take more panels so that small-M
// shapes still have enough independent FMA chains), B rows loaded as zmm, A broadcast per row.
// The epilogue's GELU is the exact-erf form of the INT8 epilogue, bit for bit (see gelu()).
#include <immintrin.h>

// GCC 12 reports the _mm512_undefined_ps() inside min/roundscale/scalef as "may be used
// uninitialized" (GCC PR105593, a false positive in its own headers; "is used" for max in gelu_big).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "dqw/api.h"
#include "gelu_erfc.h"
#include "gemm_f32_kernels.h"

namespace dqw {
namespace gemm_f32 {
namespace {

constexpr int kMr = 14;
constexpr int kAStep = 16;  // packed A steps padded to one aligned zmm
// B is prefetched this many k steps (2 KB of a panel) ahead: small-M shapes stream B from memory
constexpr int kPrefetchSteps = 16;

__mmask16 lane_mask(int left) {
  return left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
}

template <int R, int NU>
void kernel(int64_t kc, const float* ap, const float* const* bunit, float* c, int64_t ldc, int ncols, bool load_c) {
  constexpr int V = 2 * NU;  // zmm per row
  __m512 acc[R][V];
  __mmask16 mask[V];
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) mask[v] = lane_mask(ncols - 16 * v);
  if (load_c) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_maskz_loadu_ps(mask[v], c + r * ldc + 16 * v);
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) {
        acc[r][v] = _mm512_setzero_ps();
        __builtin_prefetch(c + r * ldc + 16 * v, 1, 3);  // C lines arrive while the k loop runs
      }
    }
  }
  const float* b[NU];
#pragma GCC unroll 16
  for (int u = 0; u < NU; ++u) b[u] = bunit[u];
  for (int64_t kk = 0; kk < kc; ++kk) {
    __m512 bv[V];
#pragma GCC unroll 16
    for (int u = 0; u < NU; ++u) {
      _mm_prefetch(reinterpret_cast<const char*>(b[u] + kPrefetchSteps * kPanelCols), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(b[u] + kPrefetchSteps * kPanelCols + 16), _MM_HINT_T0);
      bv[2 * u] = _mm512_loadu_ps(b[u]);
      bv[2 * u + 1] = _mm512_loadu_ps(b[u] + 16);
      b[u] += kPanelCols;
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ap[r]);
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
    ap += kAStep;
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], acc[r][v]);
}

// The full-group kernel (kMr rows × 32 columns) reading A in place from kMr rows lda apart; the
// rows are addressed from five bases three rows apart so that base + lda·{0,1,2} covers them.
void kernel_direct(int64_t kc, const float* a, int64_t lda, const float* const* bunit, float* c, int64_t ldc,
                   int ncols, bool load_c) {
  constexpr int R = kMr, V = 2;
  __m512 acc[R][V];
  const __mmask16 mask[V] = {lane_mask(ncols), lane_mask(ncols - 16)};
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      if (load_c) {
        acc[r][v] = _mm512_maskz_loadu_ps(mask[v], c + r * ldc + 16 * v);
      } else {
        acc[r][v] = _mm512_setzero_ps();
        __builtin_prefetch(c + r * ldc + 16 * v, 1, 3);
      }
    }
  const float* b = bunit[0];
  const float* base[5] = {a, a + 3 * lda, a + 6 * lda, a + 9 * lda, a + 12 * lda};
  for (int64_t kk = 0; kk < kc; ++kk) {
    _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchSteps * kPanelCols), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + kPrefetchSteps * kPanelCols + 16), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    b += kPanelCols;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(base[r / 3][(r % 3) * lda + kk]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], acc[r][v]);
}

// widest kernel per row count: R·2·NU accumulators + 2·NU B registers + 1 broadcast <= 32 zmm
constexpr int kMaxUnitsByRows[kMaxRows + 1] = {0, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};

template <int R>
MicroKernel kernel_by_units(int units) {
  constexpr int M = kMaxUnitsByRows[R];
  switch (units) {
    case 1: return kernel<R, 1>;
    case 2: return kernel<R, (M >= 2 ? 2 : 1)>;
    case 3: return kernel<R, (M >= 3 ? 3 : 1)>;
    default: return kernel<R, (M >= 4 ? 4 : 1)>;
  }
}

MicroKernel kernel_for(int rows, int units) {
  switch (rows) {
    case 1: return kernel_by_units<1>(units);
    case 2: return kernel_by_units<2>(units);
    case 3: return kernel_by_units<3>(units);
    case 4: return kernel_by_units<4>(units);
    case 5: return kernel_by_units<5>(units);
    case 6: return kernel_by_units<6>(units);
    case 7: return kernel_by_units<7>(units);
    case 8: return kernel_by_units<8>(units);
    case 9: return kernel_by_units<9>(units);
    case 10: return kernel_by_units<10>(units);
    case 11: return kernel_by_units<11>(units);
    case 12: return kernel_by_units<12>(units);
    case 13: return kernel_by_units<13>(units);
    default: return kernel_by_units<14>(units);
  }
}

// ---- packing of A into groups of kMr rows ------------------------------------------------------

// rows contiguous in memory along m (A stored [k, m]): one masked copy per k step
void pack_a_rows_contiguous(const float* a, int64_t cs, int rows, int64_t kc, float* ap) {
  for (int g0 = 0; g0 < rows; g0 += kMr) {
    float* dst = ap + (int64_t)(g0 / kMr) * kAStep * kc;
    const __mmask16 in = lane_mask(rows - g0 < kMr ? rows - g0 : kMr);
    for (int64_t kk = 0; kk < kc; ++kk) _mm512_storeu_ps(dst + kk * kAStep, _mm512_maskz_loadu_ps(in, a + g0 + kk * cs));
  }
}

// In-register transpose: r[i] holds row i (16 lanes) on entry, column i on exit.
__attribute__((always_inline)) inline void transpose16x16(__m512 r[16]) {
  __m512 t[16], u[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 16
  for (int i = 0; i < 16; i += 4) {  // 64-bit pairs: u[i + j] holds columns j, j+4, j+8, j+12 of rows i..i+3
    u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
#pragma GCC unroll 16
  for (int h = 0; h < 16; h += 8) {  // 128-bit lanes: t[h + j] holds columns j and j + 8 of rows h..h+7
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      t[h + j] = _mm512_shuffle_f32x4(u[h + j], u[h + 4 + j], 0x88);
      t[h + 4 + j] = _mm512_shuffle_f32x4(u[h + j], u[h + 4 + j], 0xDD);
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
  }
}

// rows contiguous along k (A stored [m, k]): 16 × 16 blocks transposed in registers. Rows past
// the group's end load nothing (mask 0) from the group's last row, so every load is unconditional.
void pack_a_steps_contiguous(const float* a, int64_t rs, int rows, int64_t kc, float* ap) {
  for (int g0 = 0; g0 < rows; g0 += kMr) {
    float* dst = ap + (int64_t)(g0 / kMr) * kAStep * kc;
    const int gr = rows - g0 < kMr ? rows - g0 : kMr;
    const float* row[16];
    __mmask16 live[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      row[i] = a + (int64_t)(g0 + (i < gr ? i : gr - 1)) * rs;
      live[i] = i < gr ? (__mmask16)0xFFFF : (__mmask16)0;
    }
    int64_t kk = 0;
    for (; kk + 16 <= kc; kk += 16) {
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) r[i] = _mm512_maskz_loadu_ps(live[i], row[i] + kk);
      transpose16x16(r);
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) _mm512_storeu_ps(dst + (kk + j) * kAStep, r[j]);
    }
    if (kk < kc) {
      const int steps = (int)(kc - kk);
      const __mmask16 in = lane_mask(steps);
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) r[i] = _mm512_maskz_loadu_ps(live[i] & in, row[i] + kk);
      transpose16x16(r);
      for (int j = 0; j < steps; ++j) _mm512_storeu_ps(dst + (kk + j) * kAStep, r[j]);
    }
  }
}

void pack_a(const float* a, int64_t rs, int64_t cs, int rows, int64_t kc, float* ap) {
  if (rs == 1) {
    pack_a_rows_contiguous(a, cs, rows, kc, ap);
  } else if (cs == 1) {
    pack_a_steps_contiguous(a, rs, rows, kc, ap);
  } else {
    for (int g0 = 0; g0 < rows; g0 += kMr) {
      float* dst = ap + (int64_t)(g0 / kMr) * kAStep * kc;
      const int gr = rows - g0 < kMr ? rows - g0 : kMr;
      for (int64_t kk = 0; kk < kc; ++kk) {
        for (int r = 0; r < kAStep; ++r) dst[kk * kAStep + r] = r < gr ? a[(g0 + r) * rs + kk * cs] : 0.0f;
      }
    }
  }
}

// ---- epilogue: bias, exact-erf GELU -----------------------------------------------------------

// GELU(x) = x Phi(x), bit for bit the INT8 epilogue's GELU over every float (gelu_erfc.h;
// operation by operation gelu_v() / gelu_big() of gemm_int8_avx512.cpp), so that a fake-quantized
// FP32 forward and the integer kernels apply the same function: GELU = max(0, x) - F(|x|) with
// F = |x| erfc(|x|/sqrt2)/2 from 16 interval polynomials for |x| <= 6.1; past that x for x > 6.1,
// fma(-|x|, E, 0) with E from exp(-x^2/2) erfcx for -12.374369 <= x < -6.1 (out of line, rare), +0
// below; NaN stays NaN, +-inf give +inf, +0. No multiply here feeds an add (this file is compiled
// with FP contraction).
__attribute__((noinline)) __m512 gelu_big(__m512 a, __m512 m, __m512 y, __mmask16 big) {
  y = _mm512_mask_mov_ps(y, big, m);
  // tail lanes: x < 0 (m == 0) and a <= 8.75 sqrt2 (for x > 6.1, fma(-a, E, x) would round to x)
  const __mmask16 keep = _mm512_mask_cmp_ps_mask(_mm512_mask_cmp_ps_mask(big, m, _mm512_setzero_ps(), _CMP_EQ_OQ), a,
                                                 _mm512_set1_ps(kGeluAxBig), _CMP_LE_OQ);
  if (!keep) return y;
  a = _mm512_mask_mov_ps(_mm512_set1_ps(8.0f), keep, a);  // other lanes: a harmless 8 (no subnormal a*a)
  const __m512 magic = _mm512_set1_ps(kGeluRoundMagic);
  const __m512 sx = _mm512_mul_ps(a, a);
  __m512 nf = _mm512_sub_ps(_mm512_fmadd_ps(sx, _mm512_set1_ps(kGeluNegHalfLog2e), magic), magic);
  nf = _mm512_max_ps(nf, _mm512_set1_ps(kGeluMinExp2));
  __m512 r = _mm512_fnmsub_ps(a, a, _mm512_mul_ps(nf, _mm512_set1_ps(2.0f * kGeluLn2Hi)));
  r = _mm512_fmadd_ps(nf, _mm512_set1_ps(-2.0f * kGeluLn2Lo), r);
  const __m512 u = _mm512_div_ps(_mm512_sub_ps(a, _mm512_set1_ps(kGeluErfcxK)), _mm512_add_ps(a, _mm512_set1_ps(kGeluErfcxK)));
  __m512 p = _mm512_set1_ps(kGeluExpPoly[6] / 64.0f);
  for (int j = 5; j >= 0; --j) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kGeluExpPoly[j] / (float)(1 << j)));
  __m512 q = _mm512_set1_ps(0.5f * kGeluErfcxPoly[10]);
  for (int j = 9; j >= 0; --j) q = _mm512_fmadd_ps(q, u, _mm512_set1_ps(0.5f * kGeluErfcxPoly[j]));
  const __m512 e = _mm512_maskz_mul_ps(keep, _mm512_maskz_scalef_ps(keep, p, nf), q);
  return _mm512_mask3_fnmadd_ps(a, e, y, keep);
}

__m512 gelu(__m512 x) {
  const __m512 a = _mm512_abs_ps(x);
  const __mmask16 big = _mm512_cmp_ps_mask(a, _mm512_set1_ps(kGeluTableA), _CMP_GT_OQ);
  const __m512 s = _mm512_fmadd_ps(a, _mm512_add_ps(a, _mm512_set1_ps(kGeluTableShift)), _mm512_set1_ps(kGeluTableMagic));
  const __m512i k = _mm512_castps_si512(s);
  const __m512 t = _mm512_sub_ps(a, _mm512_permutexvar_ps(k, _mm512_loadu_ps(kGeluTableCenter)));
  __m512 q = _mm512_permutexvar_ps(k, _mm512_loadu_ps(kGeluTablePoly[kGeluTableDegree]));
  for (int j = kGeluTableDegree - 1; j >= 0; --j)
    q = _mm512_fmadd_ps(q, t, _mm512_permutexvar_ps(k, _mm512_loadu_ps(kGeluTablePoly[j])));
  const __m512 m = _mm512_max_ps(_mm512_setzero_ps(), x);
  const __m512 y = _mm512_sub_ps(m, q);
  if (__builtin_expect(big != 0, 0)) return gelu_big(a, m, y, big);
  return y;
}

void epilogue(float* c, int64_t ldc, int rows, int cols, const float* bias, int flags) {
  const bool do_gelu = (flags & DQW_EPI_GELU) != 0;
  for (int r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < cols; j += 16) {
      const __mmask16 m = lane_mask(cols - j);
      __m512 v = _mm512_maskz_loadu_ps(m, row + j);
      if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + j));
      if (do_gelu) v = gelu(v);
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}

// constant-initialized: nothing in this file may run before the CPU has been checked
constexpr KernelSet kSet = {"avx512", kMr, kAStep, kPanelCols, kMaxUnitsByRows, kernel_for, pack_a, kernel_direct, epilogue};

}  // namespace

const KernelSet& avx512_kernels() { return kSet; }

}  // namespace gemm_f32
}  // namespace dqw
