// INT8 GEMM, scalar path (baseline x86-64): plain loops over the packed layout. Also the reference
// formulation of the epilogue and the GELU that the AVX2 / AVX-512 files mirror operation by operation.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "gemm_int8_kernels.h"

namespace dqw {
namespace int8 {
namespace {

// E = erfc(a/sqrt2)/2 for 6.1 < a <= 12.374369 (the tail of gelu_erfc.h): exp(-a^2/2) erfcx / 2.
float gelu_tail(float a) {
  const float sx = a * a;
  const float ah = 0.5f * a;
  float nf = std::fmaf(sx, kGeluNegHalfLog2e, kGeluRoundMagic) - kGeluRoundMagic;
  nf = nf > kGeluMinExp2 ? nf : kGeluMinExp2;
  const float t1 = nf * kGeluLn2Hi;
  float r = std::fmaf(-ah, a, -t1);
  r = std::fmaf(nf, -kGeluLn2Lo, r);
  float p = kGeluExpPoly[6];
  for (int i = 5; i >= 0; --i) p = std::fmaf(p, r, kGeluExpPoly[i]);
  const int32_t bits = ((int32_t)nf + 127) << 23;  // 2^n, n in [-115, 0]
  float two_n;
  std::memcpy(&two_n, &bits, 4);
  const float e = p * two_n;
  const float u = (a - kGeluErfcxK) / (a + kGeluErfcxK);
  float q = 0.5f * kGeluErfcxPoly[10];
  for (int i = 9; i >= 0; --i) q = std::fmaf(q, u, 0.5f * kGeluErfcxPoly[i]);
  return e * q;
}

// The reference formulation of gelu_erfc.h that the AVX2 / AVX-512 code mirrors operation by operation.
float gelu1(float x) {
  const float a = std::fabs(x);
  const float m = 0.0f > x ? 0.0f : x;
  if (a > kGeluTableA) {  // false for NaN, which goes through the table
    // x > 6.1: fma(-a, E, x) rounds to x (a E < 3.2e-9), so only -12.374369 <= x < -6.1 needs E
    return x < 0.0f && a <= kGeluAxBig ? std::fmaf(-a, gelu_tail(a), m) : m;
  }
  const float s = std::fmaf(a, a + kGeluTableShift, kGeluTableMagic);
  uint32_t sbits;
  std::memcpy(&sbits, &s, 4);
  const int k = (int)(sbits & 15u);  // rint(a (a + 4) / 4) <= 15 for a <= 6.1
  const float t = a - kGeluTableCenter[k];
  float f = kGeluTablePoly[kGeluTableDegree][k];
  for (int j = kGeluTableDegree - 1; j >= 0; --j) f = std::fmaf(f, t, kGeluTablePoly[j][k]);
  return m - f;
}

void gelu_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gelu1(x[i]);
}

// Dequantization of one accumulator, the formula every path uses.
inline float dequant(int32_t acc, float sa, float sw, const float* bias, int32_t n) {
  const float s = sa * sw;
  const float v = (float)acc;
  return bias ? std::fmaf(v, s, bias[n]) : v * s;
}

void tile_scalar(const Pack& pk, const Tile& t, const Epilogue& e) {
  const int32_t k = pk.k;
  for (int32_t r = 0; r < t.m; ++r) {
    const int8_t* a = t.a + r * t.lda;
    const int64_t row = t.row + r;
    for (int32_t n0 = t.n0; n0 < t.n1; n0 += kPanelCols) {
      const uint8_t* b = pk.data + (int64_t)(n0 / kPanelCols) * pk.quads * kQuadBytes;
      int32_t acc[kPanelCols] = {0};
      for (int32_t q = 0; q < pk.quads; ++q) {
        int32_t av[4];
        for (int j = 0; j < 4; ++j) av[j] = 4 * q + j < k ? a[4 * q + j] : 0;
        const uint8_t* bq = b + (int64_t)q * kQuadBytes;
        for (int c = 0; c < kPanelCols; ++c)
          for (int j = 0; j < 4; ++j) acc[c] += av[j] * (int32_t)(int8_t)(bq[4 * c + j] ^ 0x80u);
      }
      const int cols = (t.n1 - n0 < kPanelCols) ? t.n1 - n0 : kPanelCols;
      if (e.c) {
        std::memcpy(e.c + row * e.ldc + n0, acc, sizeof(int32_t) * cols);
      } else {
        float* y = e.y + row * e.ldy;
        for (int c = 0; c < cols; ++c) {
          const float v = dequant(acc[c], e.a_scale[row], e.w_scale[n0 + c], e.bias, n0 + c);
          y[n0 + c] = e.gelu ? gelu1(v) : v;
        }
      }
    }
  }
}

void quantize_scalar(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq, float* scale,
                     int32_t* rowsum) {
  for (int32_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int8_t* qr = q + r * ldq;
    float amax = 0.0f;
    for (int32_t i = 0; i < k; ++i) {
      const float v = std::fabs(xr[i]);
      amax = v > amax ? v : amax;
    }
    const float inv = 127.0f / amax;
    int32_t sum = 0;
    if (!(inv <= FLT_MAX)) {  // all zeros (or amax so small that 127/amax overflows)
      std::memset(qr, 0, (size_t)k);
      scale[r] = 0.0f;
    } else {
      for (int32_t i = 0; i < k; ++i) {
        const float v = xr[i] * inv;
        float rv = (v + kGeluRoundMagic) - kGeluRoundMagic;  // round half even, |v| <= 127.00002
        int32_t qi = (int32_t)rv;
        qi = qi < -127 ? -127 : (qi > 127 ? 127 : qi);
        qr[i] = (int8_t)qi;
        sum += qi;
      }
      scale[r] = amax / 127.0f;
    }
    if (rowsum) rowsum[r] = sum;
  }
}

void rowsum_scalar(const int8_t* a, int64_t lda, int32_t m, int32_t k, int32_t* out) {
  for (int32_t r = 0; r < m; ++r) {
    int32_t s = 0;
    for (int32_t i = 0; i < k; ++i) s += a[r * lda + i];
    out[r] = s;
  }
}

}  // namespace

const Kernels& kernels_scalar() {
  static const Kernels k{1, tile_scalar, quantize_scalar, rowsum_scalar, gelu_scalar};
  return k;
}

}  // namespace int8
}  // namespace dqw
