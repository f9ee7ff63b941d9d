// Standalone native test (ctest) of dqw/gemm_f32.h: every ISA path up to the detected one, all four
// transpose combinations, accumulate, bias and GELU against a naive double-precision loop; the
// prepacked path against the unpacked one (bit-identical); 1/2/3 threads (bit-identical); k = 0;
// the vectorized GELU against std::erfc in double on a dense grid.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "dqw/cpu.h"
#include "dqw/gemm_f32.h"

static int fails = 0;
#define CHECK(c)                                                          \
  do {                                                                    \
    if (!(c)) {                                                           \
      std::fprintf(stderr, "FAIL %s:%d %s\n", __FILE__, __LINE__, #c);    \
      ++fails;                                                            \
    }                                                                     \
  } while (0)

namespace {

struct Shape {
  int m, n, k;
};

const Shape kShapes[] = {{1, 1, 1},    {3, 17, 31},  {17, 31, 3},  {31, 3, 17},   {14, 32, 384},
                         {29, 65, 385}, {64, 100, 769}, {1, 1280, 64}, {5, 384, 33}, {200, 70, 1000}};

double gelu_ref(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }

std::vector<float> random_vec(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Runs every combination for one shape on the active path; returns the worst error / tolerance.
// Every stored matrix has `pad` unused floats at the end of each row (row stride = width + pad).
double check_shape(const Shape& s, int pad, std::mt19937& rng) {
  const int m = s.m, n = s.n, k = s.k;
  std::vector<float> a = random_vec((size_t)m * k, rng), b = random_vec((size_t)k * n, rng);  // op(A), op(B)
  std::vector<float> c0 = random_vec((size_t)m * n, rng), bias = random_vec(n, rng);
  const int lda_n = k + pad, lda_t = m + pad, ldb_n = n + pad, ldb_t = k + pad, ldc = n + pad;
  std::vector<float> as((size_t)m * lda_n, NAN), at((size_t)k * lda_t, NAN), bs((size_t)k * ldb_n, NAN),
      bt((size_t)n * ldb_t, NAN);  // padding is NaN: reading it would show
  for (int i = 0; i < m; ++i)
    for (int kk = 0; kk < k; ++kk) as[(size_t)i * lda_n + kk] = at[(size_t)kk * lda_t + i] = a[(size_t)i * k + kk];
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j) bs[(size_t)kk * ldb_n + j] = bt[(size_t)j * ldb_t + kk] = b[(size_t)kk * n + j];
  std::vector<double> dot((size_t)m * n), mag((size_t)m * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = 0, abs_sum = 0;
      for (int kk = 0; kk < k; ++kk) {
        double p = (double)a[(size_t)i * k + kk] * b[(size_t)kk * n + j];
        sum += p;
        abs_sum += std::fabs(p);
      }
      dot[(size_t)i * n + j] = sum;
      mag[(size_t)i * n + j] = abs_sum;
    }
  double worst = 0;
  const double u = std::ldexp(1.0, -24);
  std::vector<float> c((size_t)m * ldc);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (int acc = 0; acc < 2; ++acc)
        for (int flags : {0, DQW_EPI_BIAS, DQW_EPI_GELU, DQW_EPI_BIAS | DQW_EPI_GELU}) {
          std::fill(c.begin(), c.end(), -7.0f);  // padding must keep this value
          for (int i = 0; i < m; ++i) std::copy(&c0[(size_t)i * n], &c0[(size_t)i * n] + n, &c[(size_t)i * ldc]);
          int rc = dqw_sgemm(ta, tb, m, n, k, ta ? at.data() : as.data(), ta ? lda_t : lda_n, tb ? bt.data() : bs.data(),
                             tb ? ldb_t : ldb_n, c.data(), ldc, acc, bias.data(), flags);
          CHECK(rc == 0);
          for (int i = 0; i < m; ++i)
            for (int j = n; j < ldc; ++j) CHECK(c[(size_t)i * ldc + j] == -7.0f);
          for (size_t e = 0; e < (size_t)m * n; ++e) {
            const int j = (int)(e % n);
            const float got = c[e / n * ldc + j];
            double x = dot[e] + (acc ? c0[e] : 0.0) + ((flags & DQW_EPI_BIAS) ? bias[j] : 0.0);
            // FP32 summation of k products, the C start value and the bias: (k+2)·u·Σ|terms|
            double s_abs = mag[e] + (acc ? std::fabs(c0[e]) : 0.0) + ((flags & DQW_EPI_BIAS) ? std::fabs(bias[j]) : 0.0);
            double tol = (k + 2) * u * s_abs;
            double ref = x;
            if (flags & DQW_EPI_GELU) {
              ref = gelu_ref(x);
              tol = 1.13 * tol + 1e-6 * std::fabs(ref) + 1e-30;  // |GELU'| <= 1.13; GELU evaluation 1e-6 rel
            }
            double err = std::fabs(got - ref);
            if (!(err <= tol)) {
              if (fails < 20)
                std::fprintf(stderr, "isa %d m=%d n=%d k=%d ta=%d tb=%d acc=%d flags=%d at %zu: got %.9g want %.9g\n",
                             dqw_cpu_active_isa(), m, n, k, ta, tb, acc, flags, e, got, ref);
              ++fails;
              return 1e9;
            }
            if (tol > 0 && err / tol > worst) worst = err / tol;
          }
        }
  return worst;
}

void check_packed_and_threads(std::mt19937& rng) {
  for (const Shape& s : {Shape{1500, 100, 400}, Shape{5, 300, 1000}, Shape{1, 700, 70}, Shape{37, 45, 800}}) {
    const int m = s.m, n = s.n, k = s.k;
    std::vector<float> a = random_vec((size_t)m * k, rng), w = random_vec((size_t)n * k, rng), bias = random_vec(n, rng);
    std::vector<float> packed(dqw_sgemm_packed_bytes(n, k) / sizeof(float));
    CHECK(dqw_sgemm_pack(w.data(), k, n, k, packed.data()) == 0);
    for (int flags : {0, DQW_EPI_BIAS | DQW_EPI_GELU}) {
      std::vector<float> ref((size_t)m * n), got((size_t)m * n);
      dqw_set_num_threads(1);
      CHECK(dqw_sgemm(0, 1, m, n, k, a.data(), k, w.data(), k, ref.data(), n, 0, bias.data(), flags) == 0);
      for (int threads = 1; threads <= 3; ++threads) {
        dqw_set_num_threads(threads);
        CHECK(dqw_sgemm_packed(m, n, k, a.data(), k, packed.data(), got.data(), n, 0, bias.data(), flags) == 0);
        CHECK(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(float)) == 0);
        std::fill(got.begin(), got.end(), 0.0f);
        CHECK(dqw_sgemm(0, 1, m, n, k, a.data(), k, w.data(), k, got.data(), n, 0, bias.data(), flags) == 0);
        CHECK(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(float)) == 0);
      }
    }
  }
  dqw_set_num_threads(2);
}

void check_empty_k() {
  std::vector<float> c = {1.0f, -2.0f, 3.0f, 4.0f, -5.0f, 6.0f}, bias = {0.5f, 0.25f, -1.0f};
  CHECK(dqw_sgemm(0, 0, 2, 3, 0, nullptr, 1, nullptr, 3, c.data(), 3, 1, bias.data(), DQW_EPI_BIAS) == 0);
  CHECK(c[0] == 1.5f && c[1] == -1.75f && c[5] == 5.0f);
  CHECK(dqw_sgemm(0, 0, 2, 3, 0, nullptr, 1, nullptr, 3, c.data(), 3, 0, bias.data(), DQW_EPI_BIAS) == 0);
  CHECK(c[0] == 0.5f && c[4] == 0.25f && c[5] == -1.0f);
  CHECK(dqw_sgemm(0, 0, 2, 3, 4, nullptr, 4, nullptr, 3, c.data(), 3, 0, nullptr, 0) == DQW_GEMM_EINVAL);
  CHECK(dqw_sgemm(0, 0, 2, 3, 1, c.data(), 1, c.data(), 2, c.data(), 3, 0, nullptr, 0) == DQW_GEMM_EINVAL);
}

// Worst relative error of the epilogue's GELU over [-14, 14] where |GELU| >= 1e-30; every point
// must also be within 1e-6 relative + an absolute bound where a path flushes to 0: 1e-37 (AVX2: below
// x = -13, |GELU(-13)| = 8e-38), 2.5e-34 on AVX-512 (the INT8 epilogue's GELU: below -12.374369,
// where |GELU| < 2.3e-34).
void gelu_worst(double* rel) {
  const int n = 200001;
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = -14.0f + 28.0f * i / (n - 1);
  std::vector<float> y = x;
  CHECK(dqw_sgemm_epilogue(1, n, y.data(), n, nullptr, DQW_EPI_GELU) == 0);
  *rel = 0;
  for (int i = 0; i < n; ++i) {
    const double ref = gelu_ref(x[i]), err = std::fabs(y[i] - ref);
    if (std::fabs(ref) >= 1e-30) *rel = std::max(*rel, err / std::fabs(ref));
    CHECK(err <= 1e-6 * std::fabs(ref) + (dqw_cpu_active_isa() == 2 ? 2.5e-34 : 1e-37));
  }
}

}  // namespace

int main() {
  const int detected = dqw_cpu_detected_isa();
  std::mt19937 rng(1234);
  for (int isa = 0; isa <= detected; ++isa) {
    dqw_cpu_force_isa(isa);
    double worst = 0;
    for (const Shape& s : kShapes) worst = std::max(worst, check_shape(s, 0, rng));
    for (const Shape& s : {Shape{29, 65, 385}, Shape{5, 384, 33}, Shape{3, 17, 31}}) worst = std::max(worst, check_shape(s, 5, rng));
    check_packed_and_threads(rng);
    check_empty_k();
    double gelu_rel;
    gelu_worst(&gelu_rel);
    std::printf("isa %d: worst error/tolerance %.3f, GELU worst relative error %.3g\n", isa, worst, gelu_rel);
  }
  dqw_cpu_force_isa(-1);
  std::printf("gemm_f32_test: %s\n", fails ? "FAILED" : "ok");
  return fails ? 1 : 0;
}
