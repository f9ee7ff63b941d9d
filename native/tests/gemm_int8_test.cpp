// Native test of the INT8 GEMM (no JVM): every ISA path up to the detected one against naive
// integer loops, the f32 epilogue against the same formula in plain C++, identical floats across
// paths and thread counts, quantization against a scalar formulation, GELU against double erfc.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include <xmmintrin.h>

#include "dqw/cpu.h"
#include "dqw/gemm_int8.h"

static int g_failures = 0;
#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      std::printf(__VA_ARGS__);                   \
      std::printf("\n");                          \
      ++g_failures;                               \
    }                                             \
  } while (0)

struct Packed {
  std::vector<uint8_t> bytes;
  Packed(const std::vector<int8_t>& w, int n, int k) : bytes((size_t)dqw_int8_packed_bytes(n, k)) {
    CHECK(dqw_int8_pack(w.data(), n, k, bytes.data()) == DQW_INT8_OK, "pack n=%d k=%d", n, k);
  }
};

static std::vector<int8_t> random_s8(std::mt19937& g, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = (int8_t)d(g);
  return v;
}

static void test_shape(std::mt19937& g, int m, int k, int n, int lo, int hi) {
  const int64_t lda = k + 3, ldc = n + 5;  // strides larger than the rows
  std::vector<int8_t> a = random_s8(g, (size_t)m * lda, lo, hi), w = random_s8(g, (size_t)n * k, lo, hi);
  Packed p(w, n, k);
  std::vector<int32_t> ref((size_t)m * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int kk = 0; kk < k; ++kk) s += (int64_t)a[(size_t)i * lda + kk] * w[(size_t)j * k + kk];
      ref[(size_t)i * n + j] = (int32_t)s;
    }
  std::uniform_real_distribution<float> sd(1e-4f, 1e-2f), bd(-2.f, 2.f);
  std::vector<float> sa(m), sw(n), bias(n);
  for (auto& v : sa) v = sd(g);
  for (auto& v : sw) v = sd(g);
  for (auto& v : bias) v = bd(g);
  std::vector<float> first_y;
  for (int isa = 0; isa <= dqw_cpu_detected_isa(); ++isa) {
    dqw_cpu_force_isa(isa);
    for (int threads = 1; threads <= 3; threads += 2) {
      dqw_set_num_threads(threads);
      std::vector<int32_t> c((size_t)m * ldc, 0x7eadbeef);
      CHECK(dqw_int8_gemm_s32(a.data(), lda, m, k, p.bytes.data(), n, c.data(), ldc) == DQW_INT8_OK, "gemm_s32");
      int bad = 0;
      for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) bad += c[(size_t)i * ldc + j] != ref[(size_t)i * n + j];
        for (int j = n; j < ldc; ++j) bad += c[(size_t)i * ldc + j] != 0x7eadbeef;  // untouched
      }
      CHECK(bad == 0, "s32 isa=%d threads=%d m=%d k=%d n=%d: %d wrong", isa, threads, m, k, n, bad);
      std::vector<float> y((size_t)m * n);
      CHECK(dqw_int8_gemm_f32(a.data(), lda, sa.data(), m, k, p.bytes.data(), sw.data(), bias.data(), n, y.data(), n,
                              DQW_EPI_BIAS | DQW_EPI_GELU) == DQW_INT8_OK, "gemm_f32");
      if (first_y.empty()) {
        // the documented formula, evaluated here in plain C++, then GELU vs double erfc
        int far = 0;
        for (int i = 0; i < m; ++i)
          for (int j = 0; j < n; ++j) {
            const float s = sa[i] * sw[j];
            const float v = std::fmaf((float)ref[(size_t)i * n + j], s, bias[j]);
            const double gd = 0.5 * (double)v * std::erfc(-(double)v / std::sqrt(2.0));
            const float got = y[(size_t)i * n + j];
            // the pre-activation v is computed exactly as the kernel does, so only the GELU error remains:
            // 1e-6 relative (its measured max is 4e-7) + 1e-30 absolute (the tail cut, |GELU| < 2.3e-34)
            far += !(std::fabs(got - gd) <= 1e-6 * std::fabs(gd) + 1e-30);
          }
        CHECK(far == 0, "f32 isa=%d m=%d k=%d n=%d: %d outside tolerance", isa, m, k, n, far);
        first_y = y;
      } else {
        CHECK(std::memcmp(first_y.data(), y.data(), y.size() * 4) == 0, "f32 differs across paths/threads isa=%d t=%d",
              isa, threads);
      }
    }
  }
  dqw_cpu_force_isa(-1);
  dqw_set_num_threads(1);
}

static void test_quantize(std::mt19937& g) {
  const int m = 7, k = 301;
  std::vector<float> x((size_t)m * k);
  std::normal_distribution<float> d(0.f, 3.f);
  for (auto& v : x) v = d(g);
  for (int kk = 0; kk < k; ++kk) x[2 * k + kk] = 0.0f;  // all-zero row
  x[3 * k + 5] = 2.5f * 1.0f;                              // exact halves after scaling exist
  std::vector<int8_t> ref((size_t)m * k);
  std::vector<float> ref_s(m);
  for (int i = 0; i < m; ++i) {
    float amax = 0;
    for (int kk = 0; kk < k; ++kk) amax = std::fmax(amax, std::fabs(x[(size_t)i * k + kk]));
    const float inv = 127.0f / amax;
    if (std::isinf(inv)) {
      ref_s[i] = 0;
      for (int kk = 0; kk < k; ++kk) ref[(size_t)i * k + kk] = 0;
      continue;
    }
    ref_s[i] = amax / 127.0f;
    for (int kk = 0; kk < k; ++kk) {
      const float prod = x[(size_t)i * k + kk] * inv;
      ref[(size_t)i * k + kk] = (int8_t)std::fmax(-127.0, std::fmin(127.0, std::nearbyint((double)prod)));
    }
  }
  for (int isa = 0; isa <= dqw_cpu_detected_isa(); ++isa) {
    dqw_cpu_force_isa(isa);
    std::vector<int8_t> q((size_t)m * k);
    std::vector<float> s(m);
    CHECK(dqw_quantize_rows_s8(x.data(), k, m, k, q.data(), k, s.data()) == DQW_INT8_OK, "quantize");
    CHECK(q == ref, "quantize q isa=%d", isa);
    CHECK(std::memcmp(s.data(), ref_s.data(), 4 * m) == 0, "quantize scale isa=%d", isa);
  }
  dqw_cpu_force_isa(-1);
}

static void test_gelu() {
  std::vector<float> x;
  for (float v = -14.0f; v <= 14.0f; v += 0.001953125f) x.push_back(v);
  std::vector<float> first;
  for (int isa = 0; isa <= dqw_cpu_detected_isa(); ++isa) {
    dqw_cpu_force_isa(isa);
    std::vector<float> y(x.size());
    dqw_int8_gelu_f32(x.data(), y.data(), (int64_t)x.size());
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double r = 0.5 * (double)x[i] * std::erfc(-(double)x[i] / std::sqrt(2.0));
      if (std::fabs(r) > 1e-30) worst = std::fmax(worst, std::fabs(y[i] - r) / std::fabs(r));
      else CHECK(std::fabs(y[i]) <= 1e-30, "gelu tiny x=%g", x[i]);
    }
    CHECK(worst < 1e-6, "gelu isa=%d max rel err %.3g", isa, worst);
    if (isa == 0) {
      std::printf("gelu max rel err %.3g\n", worst);
      first = y;
    } else {
      CHECK(std::memcmp(first.data(), y.data(), 4 * y.size()) == 0, "gelu differs isa=%d", isa);
    }
  }
  dqw_cpu_force_isa(-1);
}

// No GELU step may make a subnormal float for |x| >= 1e-19 (slow on x86): the MXCSR sticky flags DE
// (a subnormal operand was read) and UE (a result underflowed) must stay clear on every path, over
// magnitudes from 1e-19 to FLT_MAX of both signs, shuffled so that table, tail and huge lanes share
// vectors (the tail runs on whole vectors; masked-off lanes raise nothing).
static void test_gelu_no_subnormals() {
  std::vector<float> x;
  const float lo = 1e-19f;
  uint32_t b0;
  std::memcpy(&b0, &lo, 4);
  for (uint32_t b = b0; b < 0x7f7fffffu; b += 4099) {
    float f;
    std::memcpy(&f, &b, 4);
    x.push_back(f);
    x.push_back(-f);
  }
  std::mt19937 g(5);
  std::shuffle(x.begin(), x.end(), g);
  std::vector<float> y(x.size());
  for (int isa = 0; isa <= dqw_cpu_detected_isa(); ++isa) {
    dqw_cpu_force_isa(isa);
    _mm_setcsr(_mm_getcsr() & ~0x3Fu);  // clear the sticky exception flags
    dqw_int8_gelu_f32(x.data(), y.data(), (int64_t)x.size());
    const unsigned flags = _mm_getcsr();
    CHECK((flags & 0x12u) == 0, "gelu isa=%d made a subnormal (MXCSR DE %u UE %u)", isa, (flags >> 1) & 1u, (flags >> 4) & 1u);
  }
  dqw_cpu_force_isa(-1);
}

int main() {
  std::mt19937 g(42);
  const int shapes[][3] = {{1, 1, 1}, {1, 384, 1536}, {5, 513, 97}, {3, 17, 31}, {17, 31, 64},
                           {13, 1000, 33}, {64, 255, 129}, {31, 64, 17}};
  for (auto& s : shapes) test_shape(g, s[0], s[1], s[2], -127, 127);
  test_shape(g, 9, 5120, 40, -128, 127);  // extremes, long K
  test_shape(g, 7, 4099, 35, 127, 127);
  test_shape(g, 7, 4099, 35, -128, -128);
  test_quantize(g);
  test_gelu();
  test_gelu_no_subnormals();
  std::printf("%s (%d failures)\n", g_failures ? "FAILED" : "OK", g_failures);
  return g_failures ? 1 : 0;
}
