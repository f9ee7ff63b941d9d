// INT4 GEMM, AVX-512 VNNI path. Micro-kernel: 8 rows x 32 columns. Per k-quad one 64-byte load of
// the panel gives both 16-column halves: the low nibbles (vpandd 0x0F) are columns 0-15, the high
// nibbles (vpsrlw 4, vpandd) columns 16-31, each byte a u8 weight + 8 for vpdpbusd against the s8
// activations broadcast 4 at a time. Per group the exact s32 sums are corrected by 8 * (group row sum
// of a), converted, and fused into the f32 accumulators with the group's scales (fma), so the s32
// range never limits K. Everything here is file-local (see DqwIsa.cmake).
// GCC 12 false positive inside the AVX-512 intrinsics headers (PR105593)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "gemm_int4_kernels.h"
#include "gemm_int8_kernels.h"

namespace dqw {
namespace int4 {
namespace {

constexpr int kMR = 8;

inline int32_t load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);  // constant size: one 32-bit load
  return v;
}

inline int32_t load_tail(const int8_t* p, int n) {  // 1..3 bytes, zero-padded
  uint32_t v = 0;
  for (int j = 0; j < n; ++j) v |= (uint32_t)(uint8_t)p[j] << (8 * j);
  return (int32_t)v;
}

inline __mmask16 low_mask16(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

// acc += u8(b) . s8(a) per 32-bit lane, in place (inline asm: GCC 12 adds a register copy per
// accumulator with the intrinsic, see gemm_int8_avx512.cpp)
inline void dpbusd(__m512i& acc, __m512i b, __m512i a) {
  __asm__("vpdpbusd %[a], %[b], %[acc]" : [acc] "+v"(acc) : [b] "v"(b), [a] "v"(a));
}

// One MR x 32 tile over the whole K. The s32 accumulators are named variables (an array of them
// makes GCC keep them in memory); the f32 accumulators, touched once per group, live in a small
// stack array. cols = valid columns (1..32).
#define DQW_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
template <int MR>
void micro(const int8_t* a, int64_t lda, const int32_t* rowsum, const Pack& pk, int64_t p, int cols, int64_t row,
           int32_t n0, const Epilogue& e) {
  static_assert(MR >= 1 && MR <= 8, "micro-kernel rows");
  const uint8_t* b = pk.panel(p);
  const float* ps = pk.panel_scales(p);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const int32_t kfull = pk.k / 4;  // quads without a K tail
  alignas(64) float f[MR][kPanelCols];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < kPanelCols; ++c) f[r][c] = 0.0f;
  for (int32_t g = 0; g < pk.groups; ++g) {
    const int32_t q0 = g * pk.group_quads;
    const int32_t q1 = q0 + pk.group_quads < pk.quads ? q0 + pk.group_quads : pk.quads;
    const int32_t qf = q1 < kfull ? q1 : kfull;
#define DQW_DECL(r) __m512i c##r##0 = _mm512_setzero_si512(), c##r##1 = _mm512_setzero_si512();
    DQW_ROWS(DQW_DECL)
#undef DQW_DECL
    const int8_t* ap = a + 4 * (int64_t)q0;
    const uint8_t* bq = b + (int64_t)q0 * kQuadBytes;
    for (int32_t q = q0; q < qf; ++q, ap += 4, bq += kQuadBytes) {
      const __m512i raw = _mm512_loadu_si512(bq);
      const __m512i lo = _mm512_and_si512(raw, low4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
#define DQW_FMA(r)                                              \
  if constexpr (MR > r) {                                       \
    const __m512i av = _mm512_set1_epi32(load4(ap + r * lda));  \
    dpbusd(c##r##0, lo, av);                                    \
    dpbusd(c##r##1, hi, av);                                    \
  }
      DQW_ROWS(DQW_FMA)
#undef DQW_FMA
    }
    if (qf < q1) {  // the last quad of K, 1..3 valid k (padding weights are 0 and padding a is 0)
      const __m512i raw = _mm512_loadu_si512(bq);
      const __m512i lo = _mm512_and_si512(raw, low4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
      const int tail = pk.k - 4 * qf;
#define DQW_FMA(r)                                                     \
  if constexpr (MR > r) {                                              \
    const __m512i av = _mm512_set1_epi32(load_tail(ap + r * lda, tail)); \
    dpbusd(c##r##0, lo, av);                                           \
    dpbusd(c##r##1, hi, av);                                           \
  }
      DQW_ROWS(DQW_FMA)
#undef DQW_FMA
    }
    if (e.cg) {
      alignas(64) int32_t v[kPanelCols];
#define DQW_GROUP_OUT(r)                                                                    \
  if constexpr (MR > r) {                                                                   \
    const __m512i comp = _mm512_set1_epi32(8 * rowsum[r * pk.groups + g]);                  \
    _mm512_store_si512(v, _mm512_sub_epi32(c##r##0, comp));                                 \
    _mm512_store_si512(v + 16, _mm512_sub_epi32(c##r##1, comp));                            \
    for (int c = 0; c < cols; ++c) e.cg[((row + r) * pk.n + n0 + c) * pk.groups + g] = v[c]; \
  }
      DQW_ROWS(DQW_GROUP_OUT)
#undef DQW_GROUP_OUT
      continue;
    }
    const __m512 sw0 = _mm512_loadu_ps(ps + g * kPanelCols), sw1 = _mm512_loadu_ps(ps + g * kPanelCols + 16);
#define DQW_FLUSH(r)                                                                                            \
  if constexpr (MR > r) {                                                                                       \
    const __m512i comp = _mm512_set1_epi32(8 * rowsum[r * pk.groups + g]);                                      \
    _mm512_store_ps(f[r], _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(c##r##0, comp)), sw0,             \
                                          _mm512_load_ps(f[r])));                                               \
    _mm512_store_ps(f[r] + 16, _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(c##r##1, comp)), sw1,        \
                                               _mm512_load_ps(f[r] + 16)));                                     \
  }
    DQW_ROWS(DQW_FLUSH)
#undef DQW_FLUSH
  }
  if (e.cg) return;
  const __mmask16 m0 = low_mask16(cols), m1 = low_mask16(cols - 16);
  __m512 bias0 = _mm512_setzero_ps(), bias1 = bias0;
  if (e.bias) {
    bias0 = _mm512_maskz_loadu_ps(m0, e.bias + n0);
    bias1 = _mm512_maskz_loadu_ps(m1, e.bias + n0 + 16);
  }
  for (int r = 0; r < MR; ++r) {
    const __m512 sa = _mm512_set1_ps(e.a_scale[row + r]);
    float* y = e.y + (row + r) * e.ldy + n0;
    const __m512 f0 = _mm512_load_ps(f[r]), f1 = _mm512_load_ps(f[r] + 16);
    const __m512 y0 = e.bias ? _mm512_fmadd_ps(f0, sa, bias0) : _mm512_mul_ps(f0, sa);
    const __m512 y1 = e.bias ? _mm512_fmadd_ps(f1, sa, bias1) : _mm512_mul_ps(f1, sa);
    _mm512_mask_storeu_ps(y, m0, y0);
    if (m1) _mm512_mask_storeu_ps(y + 16, m1, y1);
  }
}
#undef DQW_ROWS

// Columns are swept panel by panel inside each group of kMR rows; GELU as a second pass over the
// rows just written (still in L1), with the INT8 GEMM's vectorized GELU.
void tile_avx512(const Pack& pk, const Tile& t, const Epilogue& e) {
  for (int32_t r = 0; r < t.m; r += kMR) {
    const int rows = t.m - r < kMR ? t.m - r : kMR;
    const int8_t* a = t.a + r * t.lda;
    const int32_t* rs = t.rowsum + (int64_t)r * pk.groups;
    for (int32_t n0 = t.n0; n0 < t.n1; n0 += kPanelCols) {
      const int cols = t.n1 - n0 < kPanelCols ? t.n1 - n0 : kPanelCols;
      const int64_t p = n0 / kPanelCols;
      switch (rows) {
        case 8: micro<8>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 7: micro<7>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 6: micro<6>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 5: micro<5>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 4: micro<4>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 3: micro<3>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        case 2: micro<2>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
        default: micro<1>(a, t.lda, rs, pk, p, cols, t.row + r, n0, e); break;
      }
    }
    if (e.gelu && !e.cg) {
      for (int i = 0; i < rows; ++i) {
        float* y = e.y + (t.row + r + i) * e.ldy + t.n0;
        int8::kernels_avx512().gelu(y, y, t.n1 - t.n0);
      }
    }
  }
}

}  // namespace

const Kernels& kernels_avx512() {
  static const Kernels k{kMR, true, tile_avx512, int8::kernels_avx512().gelu};
  return k;
}

}  // namespace int4
}  // namespace dqw
