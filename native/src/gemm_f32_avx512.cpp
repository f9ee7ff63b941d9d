// FP32 GEMM, AVX-512 path. Micro-kernel: R rows × NU panels of 32 columns, R·2·NU zmm
// accumulators (14 × 32 = 28 for full row groups; fewer rows take more panels so that small-M
// shapes still have enough independent FMA chains), B rows loaded as zmm, A broadcast per row.
// The epilogue's GELU is the exact-erf form evaluated with a vectorized erfc (see gelu()).
#include <immintrin.h>

// GCC 12 reports the _mm512_undefined_ps() inside min/roundscale/scalef as "may be used
// uninitialized" (GCC PR105593, a false positive in its own headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "dqw/api.h"
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

// e^y for y in [-87, 0]: y = n·ln2 + r, |r| <= ln2/2, degree-6 polynomial, scaled by 2^n.
__m512 exp_neg(__m512 y) {
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(y, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), y);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.394465915e-03f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.371952921e-03f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.166628048e-02f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.666645557e-01f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// GELU(x) = x·Φ(x), Φ(x) = erfc(t)/2 for x < 0 and 1 - erfc(t)/2 for x >= 0, t = |x|/√2.
// erfc(t) = e^(-x²/2) · h(u) / (1 + 2t) with u = (t - 2.5)/(t + 2.5) and h a degree-10
// polynomial fitted in relative error (3.7e-9) on t in [0, 9.2]. x²/2 is carried as p + plo
// (plo = the FMA rounding residue of x·x), so e^(-x²/2) keeps its relative accuracy in the tail:
// about 3e-7 relative error over the whole range. |x| > 13 gives x or 0 (|error| < 1e-37).
__m512 gelu(__m512 x) {
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 t = _mm512_min_ps(_mm512_mul_ps(ax, _mm512_set1_ps(0.70710678f)), _mm512_set1_ps(9.2f));
  const __m512 axc = _mm512_min_ps(ax, _mm512_set1_ps(13.0f));
  const __m512 p = _mm512_mul_ps(axc, axc);
  const __m512 plo = _mm512_fmsub_ps(axc, axc, p);
  __m512 e = exp_neg(_mm512_mul_ps(p, _mm512_set1_ps(-0.5f)));
  e = _mm512_fmadd_ps(e, _mm512_mul_ps(plo, _mm512_set1_ps(-0.5f)), e);
  const __m512 u = _mm512_div_ps(_mm512_sub_ps(t, _mm512_set1_ps(2.5f)), _mm512_add_ps(t, _mm512_set1_ps(2.5f)));
  __m512 h = _mm512_set1_ps(8.777603216e-05f);
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(6.341324188e-04f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(3.519275342e-04f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-4.430414643e-03f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(9.716054774e-04f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(3.277841583e-02f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-1.029718593e-01f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(1.576278955e-01f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-9.902431071e-02f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(-1.223567054e-01f));
  h = _mm512_fmadd_ps(h, u, _mm512_set1_ps(1.264838219e+00f));
  const __m512 half_erfc =
      _mm512_div_ps(_mm512_mul_ps(e, h), _mm512_fmadd_ps(t, _mm512_set1_ps(4.0f), _mm512_set1_ps(2.0f)));
  const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 phi = _mm512_mask_blend_ps(neg, _mm512_sub_ps(_mm512_set1_ps(1.0f), half_erfc), half_erfc);
  __m512 y = _mm512_mul_ps(x, phi);
  const __mmask16 big = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(13.0f), _CMP_GT_OQ);
  const __mmask16 big_pos = _mm512_mask_cmp_ps_mask(big, x, _mm512_setzero_ps(), _CMP_GT_OQ);
  y = _mm512_mask_mov_ps(y, big, _mm512_setzero_ps());
  return _mm512_mask_mov_ps(y, big_pos, x);
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
constexpr KernelSet kSet = {"avx512", kMr, kAStep, kPanelCols, kMaxUnitsByRows, kernel_for, pack_a, epilogue};

}  // namespace

const KernelSet& avx512_kernels() { return kSet; }

}  // namespace gemm_f32
}  // namespace dqw
