// INT8 GEMM, AVX2 path (no VNNI). vpmaddubsw would saturate (255 * 127 * 2 > 32767), so both
// operands are widened to s16 and multiplied with vpmaddwd (exact): the packed u8 weights
// (w + 128) zero-extended, 4 s8 activations sign-extended and repeated across the register.
// Micro-kernel: 4 rows x 8 columns; each accumulator lane holds a k-pair partial sum of one column,
// reduced with vphaddd at the end. The +128 bias is removed with 128 * rowsum(a), as on AVX-512.
#include <immintrin.h>

#include <cfloat>
#include <cstring>

#include "gemm_int8_kernels.h"

namespace dqw {
namespace int8 {
namespace {

constexpr int kMR = 4;

inline int32_t load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline int32_t load_tail(const int8_t* p, int n) {
  uint32_t v = 0;
  for (int j = 0; j < n; ++j) v |= (uint32_t)(uint8_t)p[j] << (8 * j);
  return (int32_t)v;
}

// lanes [0, n) set
inline __m256i lane_mask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// 4 s8 activations -> s16 a0 a1 a2 a3 repeated 4 times
inline __m256i bcast_a(int32_t v) { return _mm256_cvtepi8_epi16(_mm_set1_epi32(v)); }

// GELU of the lanes in big (|x| > 6.1, all bits set, from gelu8()): y gets m = max(0, x), then the
// tail lanes (-12.374369 <= x < -6.1) fma(-a, E, 0), operation by operation gelu_tail() of
// gemm_int8_scalar.cpp. Out of line (rare).
__attribute__((noinline)) __m256 gelu_big8(__m256 a, __m256 m, __m256 y, __m256 big) {
  y = _mm256_blendv_ps(y, m, big);
  // tail lanes: x < 0 (m == 0) and a <= 8.75 sqrt2 (for x > 6.1, fma(-a, E, x) would round to x)
  const __m256 keep = _mm256_and_ps(_mm256_and_ps(big, _mm256_cmp_ps(m, _mm256_setzero_ps(), _CMP_EQ_OQ)),
                                    _mm256_cmp_ps(a, _mm256_set1_ps(kGeluAxBig), _CMP_LE_OQ));
  if (_mm256_movemask_ps(keep) == 0) return y;
  a = _mm256_blendv_ps(_mm256_set1_ps(8.0f), a, keep);  // other lanes: a harmless 8 (no subnormal a*a/2)
  const __m256 ah = _mm256_mul_ps(_mm256_set1_ps(0.5f), a);
  const __m256 sx = _mm256_mul_ps(a, a);
  const __m256 magic = _mm256_set1_ps(kGeluRoundMagic);
  __m256 nf = _mm256_sub_ps(_mm256_fmadd_ps(sx, _mm256_set1_ps(kGeluNegHalfLog2e), magic), magic);
  nf = _mm256_max_ps(nf, _mm256_set1_ps(kGeluMinExp2));
  __m256 r = _mm256_fnmsub_ps(ah, a, _mm256_mul_ps(nf, _mm256_set1_ps(kGeluLn2Hi)));
  r = _mm256_fmadd_ps(nf, _mm256_set1_ps(-kGeluLn2Lo), r);
  __m256 p = _mm256_set1_ps(kGeluExpPoly[6]);
  for (int i = 5; i >= 0; --i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kGeluExpPoly[i]));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(nf), _mm256_set1_epi32(127)), 23);  // 2^n
  const __m256 e = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
  const __m256 kk = _mm256_set1_ps(kGeluErfcxK);
  const __m256 u = _mm256_div_ps(_mm256_sub_ps(a, kk), _mm256_add_ps(a, kk));
  __m256 q = _mm256_set1_ps(0.5f * kGeluErfcxPoly[10]);
  for (int i = 9; i >= 0; --i) q = _mm256_fmadd_ps(q, u, _mm256_set1_ps(0.5f * kGeluErfcxPoly[i]));
  return _mm256_blendv_ps(y, _mm256_fnmadd_ps(a, _mm256_mul_ps(e, q), y), keep);
}

// One coefficient of the 16-entry table tbl for each lane's interval k (bit 3 of k moved to the
// sign bit in hi: which half of the table).
inline __m256 lookup16(const float* tbl, __m256i k, __m256 hi) {
  return _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_loadu_ps(tbl), k),
                          _mm256_permutevar8x32_ps(_mm256_loadu_ps(tbl + 8), k), hi);
}

// GELU, operation by operation the same as gelu1() in gemm_int8_scalar.cpp.
inline __m256 gelu8(__m256 x) {
  const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 big = _mm256_cmp_ps(a, _mm256_set1_ps(kGeluTableA), _CMP_GT_OQ);  // false for NaN
  const __m256 s = _mm256_fmadd_ps(a, _mm256_add_ps(a, _mm256_set1_ps(kGeluTableShift)), _mm256_set1_ps(kGeluTableMagic));
  const __m256i k = _mm256_castps_si256(s);  // vpermps reads the low 3 bits, bit 3 picks the half
  const __m256 hi = _mm256_castsi256_ps(_mm256_slli_epi32(k, 28));
  const __m256 t = _mm256_sub_ps(a, lookup16(kGeluTableCenter, k, hi));
  __m256 q = lookup16(kGeluTablePoly[kGeluTableDegree], k, hi);
  for (int j = kGeluTableDegree - 1; j >= 0; --j) q = _mm256_fmadd_ps(q, t, lookup16(kGeluTablePoly[j], k, hi));
  const __m256 m = _mm256_max_ps(_mm256_setzero_ps(), x);  // x for x >= 0, -0 and NaN (second operand)
  const __m256 y = _mm256_sub_ps(m, q);
  if (__builtin_expect(_mm256_movemask_ps(big) != 0, 0)) return gelu_big8(a, m, y, big);
  return y;
}

// MR rows x 8 columns (panel columns c0..c0+7) over the whole K, then the epilogue.
template <int MR>
void micro(const int8_t* a, int64_t lda, const int32_t* rowsum, int32_t k, const uint8_t* b, int cols, int64_t row,
           int32_t n, const Epilogue& e) {
  __m256i acc[MR][2];
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  const int32_t qfull = k / 4;
  const int8_t* ap = a;
  for (int32_t q = 0; q < qfull; ++q, ap += 4, b += kQuadBytes) {
    const __m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
    const __m256i b1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16)));
    for (int r = 0; r < MR; ++r) {
      const __m256i av = bcast_a(load4(ap + r * lda));
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(b0, av));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(b1, av));
    }
  }
  if (k & 3) {
    const __m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
    const __m256i b1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16)));
    for (int r = 0; r < MR; ++r) {
      const __m256i av = bcast_a(load_tail(ap + r * lda, k & 3));
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(b0, av));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(b1, av));
    }
  }
  const __m256i mask = lane_mask(cols);
  __m256 sw = _mm256_setzero_ps(), bias = sw;
  if (!e.c) {
    sw = _mm256_maskload_ps(e.w_scale + n, mask);
    if (e.bias) bias = _mm256_maskload_ps(e.bias + n, mask);
  }
  for (int r = 0; r < MR; ++r) {
    // [c0 c1 c4 c5 | c2 c3 c6 c7] -> c0..c7
    __m256i v = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[r][0], acc[r][1]), 0xD8);
    v = _mm256_sub_epi32(v, _mm256_set1_epi32((int32_t)(128u * (uint32_t)rowsum[r])));
    if (e.c) {
      _mm256_maskstore_epi32(e.c + (row + r) * e.ldc + n, mask, v);
      continue;
    }
    const __m256 s = _mm256_mul_ps(_mm256_set1_ps(e.a_scale[row + r]), sw);
    const __m256 f = _mm256_cvtepi32_ps(v);
    __m256 out = e.bias ? _mm256_fmadd_ps(f, s, bias) : _mm256_mul_ps(f, s);
    if (e.gelu) out = gelu8(out);
    _mm256_maskstore_ps(e.y + (row + r) * e.ldy + n, mask, out);
  }
}

template <int MR>
void micro_rest(int rows, const int8_t* a, int64_t lda, const int32_t* rowsum, int32_t k, const uint8_t* b, int cols,
                int64_t row, int32_t n, const Epilogue& e) {
  if constexpr (MR > 1) {
    if (rows == MR - 1) return micro<MR - 1>(a, lda, rowsum, k, b, cols, row, n, e);
    return micro_rest<MR - 1>(rows, a, lda, rowsum, k, b, cols, row, n, e);
  }
}

void tile_avx2(const Pack& pk, const Tile& t, const Epilogue& e) {
  const int64_t panel_bytes = (int64_t)pk.quads * kQuadBytes;
  for (int32_t n0 = t.n0; n0 < t.n1; n0 += kPanelCols) {
    const uint8_t* panel = pk.data + (n0 / kPanelCols) * panel_bytes;
    int32_t r = 0;
    for (; r < t.m; r += kMR) {
      const int rows = t.m - r < kMR ? t.m - r : kMR;
      for (int g = 0; g < kPanelCols; g += 8) {
        const int cols = t.n1 - (n0 + g);
        if (cols <= 0) break;
        const uint8_t* b = panel + 4 * g;  // columns g..g+7 of every 128-byte k-quad
        const int c8 = cols < 8 ? cols : 8;
        if (rows == kMR)
          micro<kMR>(t.a + r * t.lda, t.lda, t.rowsum + r, pk.k, b, c8, t.row + r, n0 + g, e);
        else
          micro_rest<kMR>(rows, t.a + r * t.lda, t.lda, t.rowsum + r, pk.k, b, c8, t.row + r, n0 + g, e);
      }
    }
  }
}

int32_t hsum_epi32(__m256i v) {
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  int32_t s = 0;
  for (int i = 0; i < 8; ++i) s += lanes[i];
  return s;
}

float hmax_ps(__m256 v) {
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, v);
  float m = lanes[0];
  for (int i = 1; i < 8; ++i) m = lanes[i] > m ? lanes[i] : m;
  return m;
}

void quantize_avx2(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq, float* scale,
                   int32_t* rowsum) {
  const int32_t kv = k & ~7;
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int32_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int8_t* qr = q + r * ldq;
    __m256 amax = _mm256_setzero_ps();
    for (int32_t i = 0; i < kv; i += 8) amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, _mm256_loadu_ps(xr + i)));
    float am = hmax_ps(amax);
    for (int32_t i = kv; i < k; ++i) {
      const float v = xr[i] < 0.0f ? -xr[i] : xr[i];
      am = v > am ? v : am;
    }
    const float inv = 127.0f / am;
    if (!(inv <= FLT_MAX)) {
      std::memset(qr, 0, (size_t)k);
      scale[r] = 0.0f;
      if (rowsum) rowsum[r] = 0;
      continue;
    }
    const __m256 vinv = _mm256_set1_ps(inv);
    const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
    __m256i sum = _mm256_setzero_si256();
    for (int32_t i = 0; i < kv; i += 8) {
      const __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(xr + i), vinv),
                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      __m256i qi = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvttps_epi32(v), lo), hi);
      sum = _mm256_add_epi32(sum, qi);
      const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(qi), _mm256_extracti128_si256(qi, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(qr + i), _mm_packs_epi16(p16, p16));
    }
    int32_t s = hsum_epi32(sum);
    for (int32_t i = kv; i < k; ++i) {
      const float v = xr[i] * inv;
      int32_t qi = (int32_t)((v + kGeluRoundMagic) - kGeluRoundMagic);  // round half even
      qi = qi < -127 ? -127 : (qi > 127 ? 127 : qi);
      qr[i] = (int8_t)qi;
      s += qi;
    }
    scale[r] = am / 127.0f;
    if (rowsum) rowsum[r] = s;
  }
}

void rowsum_avx2(const int8_t* a, int64_t lda, int32_t m, int32_t k, int32_t* out) {
  const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
  const int32_t kv = k & ~31;
  for (int32_t r = 0; r < m; ++r) {
    const int8_t* ar = a + r * lda;
    __m256i acc = _mm256_setzero_si256();
    for (int32_t i = 0; i < kv; i += 32) {
      const __m256i pairs = _mm256_maddubs_epi16(ones8, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ar + i)));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones16));
    }
    int32_t s = hsum_epi32(acc);
    for (int32_t i = kv; i < k; ++i) s += ar[i];
    out[r] = s;
  }
}

void gelu_avx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, gelu8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = lane_mask((int)(n - i));
    _mm256_maskstore_ps(y + i, m, gelu8(_mm256_maskload_ps(x + i, m)));
  }
}

}  // namespace

const Kernels& kernels_avx2() {
  static const Kernels k{kMR, tile_avx2, quantize_avx2, rowsum_avx2, gelu_avx2};
  return k;
}

}  // namespace int8
}  // namespace dqw
