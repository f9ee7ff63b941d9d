// INT4 GEMM, AVX2 path (no VNNI). Per k-quad a 32-byte load covers panel lanes c0..c0+7, i.e. 8
// columns in the low nibbles and the 8 columns 16 further in the high nibbles; nibbles are masked,
// widened to s16 and un-biased (-8), then multiplied with 4 s8 activations (s16, repeated) by
// vpmaddwd (exact). Micro-kernel: MR rows x those 16 columns; each accumulator lane holds a k-pair
// partial sum, reduced with vphaddd at every group end, where the group's scales are fused in with
// fma as on the other paths. Everything here is file-local (see DqwIsa.cmake).
#include <immintrin.h>

#include <cstring>

#include "gemm_int4_kernels.h"
#include "gemm_int8_kernels.h"

namespace dqw {
namespace int4 {
namespace {

constexpr int kMR = 2;

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

inline __m256i lane_mask(int n) {  // lanes [0, n) set
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// 4 s8 activations -> s16 a0 a1 a2 a3 repeated 4 times
inline __m256i bcast_a(int32_t v) { return _mm256_cvtepi8_epi16(_mm_set1_epi32(v)); }

// k-pair partial sums [c0 c0 c1 c1 | c2 c2 c3 c3] and [c4 .. | c6 ..] -> c0 .. c7
inline __m256i reduce_pairs(__m256i lo4, __m256i hi4) {
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo4, hi4), 0xD8);
}

// MR rows x (8 low-nibble columns at n0 + c0, 8 high-nibble columns at n0 + 16 + c0) over the whole K.
// nlo, nhi: valid columns in each set (0..8).
template <int MR>
void micro(const int8_t* a, int64_t lda, const Pack& pk, int64_t p, int c0, int nlo, int nhi, int64_t row, int32_t n0,
           const Epilogue& e) {
  const uint8_t* b = pk.panel(p) + 4 * c0;
  const float* ps = pk.panel_scales(p);
  const __m256i low4 = _mm256_set1_epi8(0x0F), eight = _mm256_set1_epi16(8);
  const int32_t kfull = pk.k / 4;
  __m256 f[MR][2];
  for (int r = 0; r < MR; ++r) f[r][0] = f[r][1] = _mm256_setzero_ps();
  for (int32_t g = 0; g < pk.groups; ++g) {
    const int32_t q0 = g * pk.group_quads;
    const int32_t q1 = q0 + pk.group_quads < pk.quads ? q0 + pk.group_quads : pk.quads;
    __m256i acc[MR][4];
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = acc[r][2] = acc[r][3] = _mm256_setzero_si256();
    for (int32_t q = q0; q < q1; ++q) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + (int64_t)q * kQuadBytes));
      const __m256i lo8 = _mm256_and_si256(raw, low4);
      const __m256i hi8 = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
      const __m256i w[4] = {_mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(lo8)), eight),
                            _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(lo8, 1)), eight),
                            _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(hi8)), eight),
                            _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(hi8, 1)), eight)};
      for (int r = 0; r < MR; ++r) {
        const int8_t* ar = a + r * lda + 4 * q;
        const __m256i av = bcast_a(q < kfull ? load4(ar) : load_tail(ar, pk.k - 4 * q));
        for (int s = 0; s < 4; ++s) acc[r][s] = _mm256_add_epi32(acc[r][s], _mm256_madd_epi16(w[s], av));
      }
    }
    if (e.cg) {
      for (int r = 0; r < MR; ++r) {
        alignas(32) int32_t v[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(v), reduce_pairs(acc[r][0], acc[r][1]));
        _mm256_store_si256(reinterpret_cast<__m256i*>(v + 8), reduce_pairs(acc[r][2], acc[r][3]));
        for (int c = 0; c < nlo; ++c) e.cg[((row + r) * pk.n + n0 + c0 + c) * pk.groups + g] = v[c];
        for (int c = 0; c < nhi; ++c) e.cg[((row + r) * pk.n + n0 + 16 + c0 + c) * pk.groups + g] = v[8 + c];
      }
      continue;
    }
    const __m256 swlo = _mm256_loadu_ps(ps + g * kPanelCols + c0);
    const __m256 swhi = _mm256_loadu_ps(ps + g * kPanelCols + 16 + c0);
    for (int r = 0; r < MR; ++r) {
      f[r][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(reduce_pairs(acc[r][0], acc[r][1])), swlo, f[r][0]);
      f[r][1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(reduce_pairs(acc[r][2], acc[r][3])), swhi, f[r][1]);
    }
  }
  if (e.cg) return;
  const __m256i mlo = lane_mask(nlo), mhi = lane_mask(nhi);
  __m256 blo = _mm256_setzero_ps(), bhi = blo;
  if (e.bias) {
    blo = _mm256_maskload_ps(e.bias + n0 + c0, mlo);
    bhi = _mm256_maskload_ps(e.bias + n0 + 16 + c0, mhi);
  }
  for (int r = 0; r < MR; ++r) {
    const __m256 sa = _mm256_set1_ps(e.a_scale[row + r]);
    float* y = e.y + (row + r) * e.ldy + n0;
    const __m256 ylo = e.bias ? _mm256_fmadd_ps(f[r][0], sa, blo) : _mm256_mul_ps(f[r][0], sa);
    const __m256 yhi = e.bias ? _mm256_fmadd_ps(f[r][1], sa, bhi) : _mm256_mul_ps(f[r][1], sa);
    _mm256_maskstore_ps(y + c0, mlo, ylo);
    _mm256_maskstore_ps(y + 16 + c0, mhi, yhi);
  }
}

inline int clamp8(int v) { return v < 0 ? 0 : (v > 8 ? 8 : v); }

void tile_avx2(const Pack& pk, const Tile& t, const Epilogue& e) {
  for (int32_t r = 0; r < t.m; r += kMR) {
    const int rows = t.m - r < kMR ? t.m - r : kMR;
    const int8_t* a = t.a + r * t.lda;
    for (int32_t n0 = t.n0; n0 < t.n1; n0 += kPanelCols) {
      const int valid = t.n1 - n0 < kPanelCols ? t.n1 - n0 : kPanelCols;
      const int64_t p = n0 / kPanelCols;
      for (int c0 = 0; c0 < 16; c0 += 8) {
        const int nlo = clamp8(valid - c0), nhi = clamp8(valid - 16 - c0);
        if (nlo == 0) break;  // nhi <= nlo
        if (rows == 2)
          micro<2>(a, t.lda, pk, p, c0, nlo, nhi, t.row + r, n0, e);
        else
          micro<1>(a, t.lda, pk, p, c0, nlo, nhi, t.row + r, n0, e);
      }
    }
    if (e.gelu && !e.cg) {
      for (int i = 0; i < rows; ++i) {
        float* y = e.y + (t.row + r + i) * e.ldy + t.n0;
        int8::kernels_avx2().gelu(y, y, t.n1 - t.n0);
      }
    }
  }
}

}  // namespace

const Kernels& kernels_avx2() {
  static const Kernels k{kMR, false, tile_avx2, int8::kernels_avx2().gelu};
  return k;
}

}  // namespace int4
}  // namespace dqw
