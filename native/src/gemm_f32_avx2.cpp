// FP32 GEMM, AVX2 + FMA path. Micro-kernel: R rows × NU units of 16 columns (half a packed B
// panel), R·2·NU ymm accumulators (6 × 16 = 12 for full row groups), B loaded as ymm, A broadcast.
// Same epilogue math as the AVX-512 path (vectorized erfc for the exact-erf GELU), on ymm.
#include <immintrin.h>

#include "dqw/api.h"
#include "gemm_f32_kernels.h"

namespace dqw {
namespace gemm_f32 {
namespace {

constexpr int kMr = 6;
constexpr int kAStep = 8;  // packed A steps padded to one aligned ymm
constexpr int kUnitCols = kPanelCols / 2;
// B is prefetched this many k steps ahead
constexpr int kPrefetchSteps = 16;

alignas(32) const int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// lanes [0, left) set, left clamped to [0, 8]
__m256i lane_mask(int left) {
  left = left < 0 ? 0 : left > 8 ? 8 : left;
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskTable + 8 - left));
}

template <int R, int NU>
void kernel(int64_t kc, const float* ap, const float* const* bunit, float* c, int64_t ldc, int ncols, bool load_c) {
  constexpr int V = 2 * NU;  // ymm per row
  const bool full = ncols >= 8 * V;
  __m256 acc[R][V];
  if (load_c) {
    if (full) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_loadu_ps(c + r * ldc + 8 * v);
    } else {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_maskload_ps(c + r * ldc + 8 * v, lane_mask(ncols - 8 * v));
    }
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
#pragma GCC unroll 8
      for (int u = 0; u < NU; ++u) __builtin_prefetch(c + r * ldc + 16 * u, 1, 3);  // C arrives during the k loop
    }
  }
  const float* b[NU];
#pragma GCC unroll 8
  for (int u = 0; u < NU; ++u) b[u] = bunit[u];
  for (int64_t kk = 0; kk < kc; ++kk) {
    __m256 bv[V];
#pragma GCC unroll 8
    for (int u = 0; u < NU; ++u) {
      // both 64-byte halves of the panel row: the other half is the next call's unit
      _mm_prefetch(reinterpret_cast<const char*>(b[u] + kPrefetchSteps * kPanelCols), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(b[u] + kPrefetchSteps * kPanelCols + kUnitCols), _MM_HINT_T0);
      bv[2 * u] = _mm256_loadu_ps(b[u]);
      bv[2 * u + 1] = _mm256_loadu_ps(b[u] + 8);
      b[u] += kPanelCols;
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(ap + r);
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
    ap += kAStep;
  }
  if (full) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) _mm256_maskstore_ps(c + r * ldc + 8 * v, lane_mask(ncols - 8 * v), acc[r][v]);
  }
}

// widest kernel per row count: R·2·NU accumulators + 2·NU B registers + 1 broadcast <= 16 ymm
constexpr int kMaxUnitsByRows[kMaxRows + 1] = {0, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

MicroKernel kernel_for(int rows, int units) {
  switch (rows) {
    case 1: return units >= 3 ? kernel<1, 3> : units == 2 ? kernel<1, 2> : kernel<1, 1>;
    case 2: return units >= 2 ? kernel<2, 2> : kernel<2, 1>;
    case 3: return kernel<3, 1>;
    case 4: return kernel<4, 1>;
    case 5: return kernel<5, 1>;
    default: return kernel<6, 1>;
  }
}

void pack_a(const float* a, int64_t rs, int64_t cs, int rows, int64_t kc, float* ap) {
  for (int g0 = 0; g0 < rows; g0 += kMr) {
    float* dst = ap + (int64_t)(g0 / kMr) * kAStep * kc;
    const int gr = rows - g0 < kMr ? rows - g0 : kMr;
    if (rs == 1) {  // A stored [k, m]: the group's rows are contiguous at each step
      const __m256i in = lane_mask(gr);
      for (int64_t kk = 0; kk < kc; ++kk) _mm256_storeu_ps(dst + kk * kAStep, _mm256_maskload_ps(a + g0 + kk * cs, in));
      continue;
    }
    for (int64_t kk = 0; kk < kc; ++kk) {
      for (int r = 0; r < kAStep; ++r) dst[kk * kAStep + r] = r < gr ? a[(g0 + r) * rs + kk * cs] : 0.0f;
    }
  }
}

// ---- epilogue: bias, exact-erf GELU (same algorithm as gemm_f32_avx512.cpp) --------------------

__m256 exp_neg(__m256 y) {  // e^y for y in [-85, 0]
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps(1.44269504f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), y);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
  __m256 p = _mm256_set1_ps(1.394465915e-03f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.371952921e-03f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.166628048e-02f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.666645557e-01f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

__m256 gelu(__m256 x) {
  const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 t = _mm256_min_ps(_mm256_mul_ps(ax, _mm256_set1_ps(0.70710678f)), _mm256_set1_ps(9.2f));
  const __m256 axc = _mm256_min_ps(ax, _mm256_set1_ps(13.0f));
  const __m256 p = _mm256_mul_ps(axc, axc);
  const __m256 plo = _mm256_fmsub_ps(axc, axc, p);
  __m256 e = exp_neg(_mm256_mul_ps(p, _mm256_set1_ps(-0.5f)));
  e = _mm256_fmadd_ps(e, _mm256_mul_ps(plo, _mm256_set1_ps(-0.5f)), e);
  const __m256 u = _mm256_div_ps(_mm256_sub_ps(t, _mm256_set1_ps(2.5f)), _mm256_add_ps(t, _mm256_set1_ps(2.5f)));
  __m256 h = _mm256_set1_ps(8.777603216e-05f);
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(6.341324188e-04f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(3.519275342e-04f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-4.430414643e-03f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(9.716054774e-04f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(3.277841583e-02f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-1.029718593e-01f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(1.576278955e-01f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-9.902431071e-02f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(-1.223567054e-01f));
  h = _mm256_fmadd_ps(h, u, _mm256_set1_ps(1.264838219e+00f));
  const __m256 half_erfc =
      _mm256_div_ps(_mm256_mul_ps(e, h), _mm256_fmadd_ps(t, _mm256_set1_ps(4.0f), _mm256_set1_ps(2.0f)));
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 phi = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), half_erfc), half_erfc, neg);
  __m256 y = _mm256_mul_ps(x, phi);
  const __m256 big = _mm256_cmp_ps(ax, _mm256_set1_ps(13.0f), _CMP_GT_OQ);
  const __m256 big_pos = _mm256_and_ps(big, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  y = _mm256_andnot_ps(big, y);                  // |x| > 13: 0 ...
  return _mm256_blendv_ps(y, x, big_pos);        // ... or x when positive
}

void epilogue(float* c, int64_t ldc, int rows, int cols, const float* bias, int flags) {
  const bool do_gelu = (flags & DQW_EPI_GELU) != 0;
  for (int r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < cols; j += 8) {
      const __m256i m = lane_mask(cols - j);
      __m256 v = _mm256_maskload_ps(row + j, m);
      if (bias) v = _mm256_add_ps(v, _mm256_maskload_ps(bias + j, m));
      if (do_gelu) v = gelu(v);
      _mm256_maskstore_ps(row + j, m, v);
    }
  }
}

// constant-initialized: nothing in this file may run before the CPU has been checked
constexpr KernelSet kSet = {"avx2", kMr, kAStep, kUnitCols, kMaxUnitsByRows, kernel_for, pack_a, epilogue};

}  // namespace

const KernelSet& avx2_kernels() { return kSet; }

}  // namespace gemm_f32
}  // namespace dqw
