// INT8 GEMM, AVX-512 VNNI path. Micro-kernel: 8 rows x 32 columns = 16 zmm accumulators; per k-quad
// two 64-byte loads of the packed panel (u8 = w + 128) and, per row, one 4-byte broadcast of the s8
// activations, read straight from A, into vpdpbusd (u8 x s8 -> s32, exact, no saturation). The +128
// bias is removed in the epilogue by subtracting 128 * rowsum(a). Measured on Zen 5 (2 zmm vpdpbusd
// per cycle), one core: 85-92 % of the vpdpbusd peak on the M=1500 Whisper shapes, s32 output.
// Everything here is file-local (see DqwIsa.cmake).
// GCC 12 false positive inside the AVX-512 intrinsics headers (PR105593, '__Y' may be used uninitialized)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cfloat>
#include <cstring>

#include "gemm_int8_kernels.h"

namespace dqw {
namespace int8 {
namespace {

constexpr int kMR = 8;
constexpr int64_t kWeightChunkBytes = 256 * 1024;

inline int32_t load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);  // constant size: one 32-bit load (pitfall P7)
  return v;
}

inline int32_t load_tail(const int8_t* p, int n) {  // 1..3 bytes, zero-padded
  uint32_t v = 0;
  for (int j = 0; j < n; ++j) v |= (uint32_t)(uint8_t)p[j] << (8 * j);
  return (int32_t)v;
}

// acc += u8(b) . s8(a) per 32-bit lane, updated in place. Inline asm: with the intrinsic, GCC 12
// copies every accumulator through an extra register move each iteration (half the throughput).
inline void dpbusd(__m512i& acc, __m512i b, __m512i a) {
  __asm__("vpdpbusd %[a], %[b], %[acc]" : [acc] "+v"(acc) : [b] "v"(b), [a] "v"(a));
}

inline __mmask16 low_mask16(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

// GELU of the lanes in big (|x| > 6.1, from gelu_v()): y gets m = max(0, x), i.e. x for x > 6.1 and
// +0 for x < -6.1, then the tail lanes (-12.374369 <= x < -6.1) fma(-a, E, 0) with E = exp(-a^2/2)
// erfcx(a/sqrt2)/2, bit for bit gelu_tail() of gemm_int8_scalar.cpp, with one multiply fewer:
// instead of a/2, r is carried doubled (r2 = -a*a - n*2ln2hi - n*2ln2lo = 2r, each rounding scaled
// by exactly 2) into the exp polynomial with coefficients c_j / 2^j. Powers of two commute with
// rounding for normal values, and every intermediate here is normal. Out of line: rare.
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
  // masked: lanes outside keep compute nothing that could be subnormal
  const __m512 e = _mm512_maskz_mul_ps(keep, _mm512_maskz_scalef_ps(keep, p, nf), q);  // exact: p * 2^n stays normal
  return _mm512_mask3_fnmadd_ps(a, e, y, keep);
}

// GELU of V vectors at once (independent chains interleaved for the out-of-order core), bit for
// bit gelu1() of gemm_int8_scalar.cpp: F = a erfc(a/sqrt2)/2 from the interval tables (coefficients
// picked per lane by vpermps from 16-entry tables: 8 permutes, 7 FMAs, 5 other ops per vector, no
// exp, no division), GELU = m - F; a vector with a lane past |x| = 6.1 is finished by gelu_big().
template <int V>
inline void gelu_v(__m512* x) {
  __m512 a[V], m[V], t[V], q[V];
  __m512i k[V];
  __mmask16 big[V];
#define DQW_EACH for (int i = 0; i < V; ++i)
  DQW_EACH {
    a[i] = _mm512_abs_ps(x[i]);
    big[i] = _mm512_cmp_ps_mask(a[i], _mm512_set1_ps(kGeluTableA), _CMP_GT_OQ);  // false for NaN
    const __m512 s = _mm512_fmadd_ps(a[i], _mm512_add_ps(a[i], _mm512_set1_ps(kGeluTableShift)), _mm512_set1_ps(kGeluTableMagic));
    k[i] = _mm512_castps_si512(s);  // vpermps reads the low 4 bits: the interval index
    t[i] = _mm512_sub_ps(a[i], _mm512_permutexvar_ps(k[i], _mm512_loadu_ps(kGeluTableCenter)));
  }
  DQW_EACH q[i] = _mm512_permutexvar_ps(k[i], _mm512_loadu_ps(kGeluTablePoly[kGeluTableDegree]));
  for (int j = kGeluTableDegree - 1; j >= 0; --j)
    DQW_EACH q[i] = _mm512_fmadd_ps(q[i], t[i], _mm512_permutexvar_ps(k[i], _mm512_loadu_ps(kGeluTablePoly[j])));
  __mmask16 any_big = 0;
  DQW_EACH {
    m[i] = _mm512_max_ps(_mm512_setzero_ps(), x[i]);  // x for x >= 0, -0 and NaN (second operand)
    x[i] = _mm512_sub_ps(m[i], q[i]);
    any_big |= big[i];
  }
  if (__builtin_expect(any_big != 0, 0)) {
    DQW_EACH if (big[i]) x[i] = gelu_big(a[i], m[i], x[i], big[i]);
  }
#undef DQW_EACH
}

// Epilogue of one finished row (columns n0 .. n0+31, masks m0 / m1 for the valid ones).
struct RowOut {
  const Epilogue& e;
  int64_t row;
  int32_t n0;
  __mmask16 m0, m1;
  __m512 sw0, sw1, bias0, bias1;

  RowOut(const Epilogue& ep, int64_t row0, int32_t n, int cols) : e(ep), row(row0), n0(n) {
    m0 = low_mask16(cols);
    m1 = low_mask16(cols - 16);
    sw0 = sw1 = bias0 = bias1 = _mm512_setzero_ps();
    if (!e.c) {
      sw0 = _mm512_maskz_loadu_ps(m0, e.w_scale + n0);
      sw1 = _mm512_maskz_loadu_ps(m1, e.w_scale + n0 + 16);
      if (e.bias) {
        bias0 = _mm512_maskz_loadu_ps(m0, e.bias + n0);
        bias1 = _mm512_maskz_loadu_ps(m1, e.bias + n0 + 16);
      }
    }
  }

  void store(int r, int32_t rowsum, __m512i acc0, __m512i acc1) const {
    const __m512i comp = _mm512_set1_epi32((int32_t)(128u * (uint32_t)rowsum));
    const __m512i v0 = _mm512_sub_epi32(acc0, comp), v1 = _mm512_sub_epi32(acc1, comp);
    if (e.c) {
      int32_t* c = e.c + (row + r) * e.ldc + n0;
      _mm512_mask_storeu_epi32(c, m0, v0);
      if (m1) _mm512_mask_storeu_epi32(c + 16, m1, v1);
      return;
    }
    const __m512 sa = _mm512_set1_ps(e.a_scale[row + r]);
    float* y = e.y + (row + r) * e.ldy + n0;
    _mm512_mask_storeu_ps(y, m0, dequant(v0, _mm512_mul_ps(sa, sw0), bias0));
    if (m1) _mm512_mask_storeu_ps(y + 16, m1, dequant(v1, _mm512_mul_ps(sa, sw1), bias1));
  }

  __m512 dequant(__m512i acc, __m512 s, __m512 bias) const {
    const __m512 v = _mm512_cvtepi32_ps(acc);
    return e.bias ? _mm512_fmadd_ps(v, s, bias) : _mm512_mul_ps(v, s);
  }
};

void gelu_avx512(const float* x, float* y, int64_t n);

// One MR x 32 tile over the whole K, then its epilogue; cols = valid columns (1..32). The
// accumulators are named variables (GCC shuffles an array of them through extra moves).
#define DQW_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
template <int MR>
void micro(const int8_t* a, int64_t lda, const int32_t* rowsum, int32_t k, const uint8_t* b, int cols, int64_t row,
           int32_t n0, const Epilogue& e, const char* pf, int64_t pf_step) {
  static_assert(MR >= 1 && MR <= 8, "micro-kernel rows");
  {
    // request the output lines now, with write intent, so their misses overlap with the K loop
    // (+5..10 % when the output does not fit in the caches)
    char* out = e.c ? (char*)(e.c + row * e.ldc + n0) : (char*)(e.y + row * e.ldy + n0);
    const int64_t ld = e.c ? e.ldc * 4 : e.ldy * 4;
    for (int r = 0; r < MR; ++r) {
      __asm__ volatile("prefetchw (%0)\n\tprefetchw 64(%0)" ::"r"(out + r * ld));
    }
  }
#define DQW_DECL(r) __m512i c##r##0 = _mm512_setzero_si512(), c##r##1 = _mm512_setzero_si512();
  DQW_ROWS(DQW_DECL)
#undef DQW_DECL
  const int8_t* ap = a;
  const int32_t qfull = k / 4;
  for (int32_t q = 0; q < qfull; ++q, ap += 4, b += kQuadBytes, pf += pf_step) {
    _mm_prefetch(pf, _MM_HINT_T0);  // the caller's next rows (or, with pf_step 0, a line already here)
    const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
#define DQW_FMA(r)                                                     \
  if constexpr (MR > r) {                                              \
    const __m512i av = _mm512_set1_epi32(load4(ap + r * lda));        \
    dpbusd(c##r##0, b0, av);                                           \
    dpbusd(c##r##1, b1, av);                                           \
  }
    DQW_ROWS(DQW_FMA)
#undef DQW_FMA
  }
  if (k & 3) {
    const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
#define DQW_FMA(r)                                                     \
  if constexpr (MR > r) {                                              \
    const __m512i av = _mm512_set1_epi32(load_tail(ap + r * lda, k & 3)); \
    dpbusd(c##r##0, b0, av);                                           \
    dpbusd(c##r##1, b1, av);                                           \
  }
    DQW_ROWS(DQW_FMA)
#undef DQW_FMA
  }
  const RowOut out(e, row, n0, cols);
#define DQW_STORE(r) \
  if constexpr (MR > r) out.store(r, rowsum[r], c##r##0, c##r##1);
  DQW_ROWS(DQW_STORE)
#undef DQW_STORE
}
#undef DQW_ROWS

// rows (1..kMR) x columns [n0, n1) starting at panel b, then GELU over what was written.
// pf / pf_per_panel: the tile's prefetch range, a slice of pf_per_panel bytes per micro-kernel call.
void row_group(const int8_t* a, int64_t lda, const int32_t* rowsum, int rows, const Pack& pk, const uint8_t* b,
               int32_t n0, int32_t n1, int64_t row, const Epilogue& e, const char*& pf, int64_t pf_per_panel) {
  const int64_t panel_bytes = (int64_t)pk.quads * kQuadBytes;
  // spread each slice evenly over the k loop (one prefetch per k-quad; a step above one line
  // leaves gaps that the hardware prefetcher fills)
  const int64_t qfull = pk.k / 4 > 0 ? pk.k / 4 : 1;
  const int64_t pf_step = pf_per_panel > 0 ? (pf_per_panel + qfull - 1) / qfull : 0;
  for (int32_t n = n0; n < n1; n += kPanelCols, b += panel_bytes) {
    const int cols = n1 - n < kPanelCols ? n1 - n : kPanelCols;
    const char* p = pf_step ? pf : reinterpret_cast<const char*>(b);
    switch (rows) {
      case 8: micro<8>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 7: micro<7>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 6: micro<6>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 5: micro<5>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 4: micro<4>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 3: micro<3>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      case 2: micro<2>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
      default: micro<1>(a, lda, rowsum, pk.k, b, cols, row, n, e, p, pf_step); break;
    }
    pf += pf_per_panel;
  }
  if (e.gelu) {
    // GELU as a second, tight pass over the rows just written (still in L1): inlined into the
    // micro-kernel epilogue it bloats the code and spills the accumulators (3x slower)
    for (int r = 0; r < rows; ++r) {
      float* y = e.y + (row + r) * e.ldy + n0;
      gelu_avx512(y, y, n1 - n0);
    }
  }
}

// Loop order: chunks of columns whose packed weights (~kWeightChunkBytes) stay in L2; inside a
// chunk each group of kMR rows (in L1) sweeps the chunk's panels, so every output row segment is
// written contiguously.
void tile_avx512(const Pack& pk, const Tile& t, const Epilogue& e) {
  const int64_t panel_bytes = (int64_t)pk.quads * kQuadBytes;
  int32_t chunk = (int32_t)(kWeightChunkBytes / panel_bytes) * kPanelCols;
  if (chunk < kPanelCols) chunk = kPanelCols;
  // the prefetch range is split evenly over all micro-kernel calls of the tile
  const int64_t calls = (int64_t)((t.m + kMR - 1) / kMR) * ((t.n1 - t.n0 + kPanelCols - 1) / kPanelCols);
  const char* pf = t.pf;
  const int64_t pf_per_panel = t.pf ? (t.pf_bytes + calls - 1) / calls : 0;
  for (int32_t c0 = t.n0; c0 < t.n1; c0 += chunk) {
    const int32_t c1 = t.n1 - c0 < chunk ? t.n1 : c0 + chunk;
    const uint8_t* b = pk.data + (c0 / kPanelCols) * panel_bytes;
    for (int32_t r = 0; r < t.m; r += kMR) {
      const int rows = t.m - r < kMR ? t.m - r : kMR;
      row_group(t.a + r * t.lda, t.lda, t.rowsum + r, rows, pk, b, c0, c1, t.row + r, e, pf, pf_per_panel);
    }
  }
}

int32_t hsum_epi32(__m512i v) {  // store + add: avoids GCC's _mm512_reduce_add_epi32 warning (P8)
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, v);
  int32_t s = 0;
  for (int i = 0; i < 16; ++i) s += lanes[i];
  return s;
}

float hmax_ps(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float m = lanes[0];
  for (int i = 1; i < 16; ++i) m = lanes[i] > m ? lanes[i] : m;
  return m;
}

// Row quantization, 64 values per step: round to nearest even in vcvtps2dq, pack to bytes with
// saturation (a no-op: |x * inv| <= 127.00002 rounds into [-127, 127]), row sum by vpdpbusd.
inline __m512i quantize64(__m512 x0, __m512 x1, __m512 x2, __m512 x3, __m512 inv) {
  constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512i q0 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(x0, inv), kRne);
  const __m512i q1 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(x1, inv), kRne);
  const __m512i q2 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(x2, inv), kRne);
  const __m512i q3 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(x3, inv), kRne);
  // packs work per 128-bit lane: dword 4L + j of the result holds q_j's lane L; reorder to 4j + L
  const __m512i packed = _mm512_packs_epi16(_mm512_packs_epi32(q0, q1), _mm512_packs_epi32(q2, q3));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_max_epi8(_mm512_permutexvar_epi32(order, packed), _mm512_set1_epi8(-127));
}

void quantize_avx512(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq, float* scale,
                     int32_t* rowsum) {
  const int32_t kv = k & ~63;
  const int tail = k - kv;
  const __mmask64 tail_bytes = tail ? ((__mmask64)1 << tail) - 1 : 0;
  const __m512i ones = _mm512_set1_epi8(1);
  for (int32_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int8_t* qr = q + r * ldq;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int32_t i = 0; i < kv; i += 64) {
      a0 = _mm512_max_ps(a0, _mm512_abs_ps(_mm512_loadu_ps(xr + i)));
      a1 = _mm512_max_ps(a1, _mm512_abs_ps(_mm512_loadu_ps(xr + i + 16)));
      a2 = _mm512_max_ps(a2, _mm512_abs_ps(_mm512_loadu_ps(xr + i + 32)));
      a3 = _mm512_max_ps(a3, _mm512_abs_ps(_mm512_loadu_ps(xr + i + 48)));
    }
    for (int j = 0; j < tail; j += 16)
      a0 = _mm512_max_ps(a0, _mm512_abs_ps(_mm512_maskz_loadu_ps(low_mask16(tail - j), xr + kv + j)));
    const float am = hmax_ps(_mm512_max_ps(_mm512_max_ps(a0, a1), _mm512_max_ps(a2, a3)));
    const float inv = 127.0f / am;
    if (!(inv <= FLT_MAX)) {
      std::memset(qr, 0, (size_t)k);
      scale[r] = 0.0f;
      if (rowsum) rowsum[r] = 0;
      continue;
    }
    const __m512 vinv = _mm512_set1_ps(inv);
    __m512i sum = _mm512_setzero_si512();
    for (int32_t i = 0; i < kv; i += 64) {
      const __m512i b = quantize64(_mm512_loadu_ps(xr + i), _mm512_loadu_ps(xr + i + 16), _mm512_loadu_ps(xr + i + 32),
                                   _mm512_loadu_ps(xr + i + 48), vinv);
      _mm512_storeu_si512(qr + i, b);
      sum = _mm512_dpbusd_epi32(sum, ones, b);
    }
    if (tail) {  // masked-off values load as 0 and quantize to 0
      const float* xt = xr + kv;
      const __m512i b = quantize64(_mm512_maskz_loadu_ps(low_mask16(tail), xt),
                                   _mm512_maskz_loadu_ps(low_mask16(tail - 16), xt + 16),
                                   _mm512_maskz_loadu_ps(low_mask16(tail - 32), xt + 32),
                                   _mm512_maskz_loadu_ps(low_mask16(tail - 48), xt + 48), vinv);
      _mm512_mask_storeu_epi8(qr + kv, tail_bytes, b);
      sum = _mm512_dpbusd_epi32(sum, ones, b);
    }
    scale[r] = am / 127.0f;
    if (rowsum) rowsum[r] = hsum_epi32(sum);
  }
}

void rowsum_avx512(const int8_t* a, int64_t lda, int32_t m, int32_t k, int32_t* out) {
  const __m512i ones = _mm512_set1_epi8(1);
  const int32_t kv = k & ~63;
  const __mmask64 tail = (k - kv) ? (((__mmask64)1 << (k - kv)) - 1) : 0;
  for (int32_t r = 0; r < m; ++r) {
    const int8_t* ar = a + r * lda;
    __m512i acc = _mm512_setzero_si512();
    for (int32_t i = 0; i < kv; i += 64) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_loadu_si512(ar + i));
    if (tail) acc = _mm512_dpbusd_epi32(acc, ones, _mm512_maskz_loadu_epi8(tail, ar + kv));
    out[r] = hsum_epi32(acc);
  }
}

void gelu_avx512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512 v[4] = {_mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i + 32),
                   _mm512_loadu_ps(x + i + 48)};
    gelu_v<4>(v);
    for (int j = 0; j < 4; ++j) _mm512_storeu_ps(y + i + 16 * j, v[j]);
  }
  for (; i < n; i += 16) {
    const __mmask16 m = low_mask16((int)(n - i));
    __m512 v[1] = {_mm512_maskz_loadu_ps(m, x + i)};
    gelu_v<1>(v);
    _mm512_mask_storeu_ps(y + i, m, v[0]);
  }
}

}  // namespace

const Kernels& kernels_avx512() {
  static const Kernels k{kMR, tile_avx512, quantize_avx512, rowsum_avx512, gelu_avx512};
  return k;
}

}  // namespace int8
}  // namespace dqw
