// Tensor-core GEMMs and row quantization against CPU references (exact integer math, or double).
// Every GEMM kernel configuration (block tile x split-K count, see dqw/cuda_gemm_config.h) is forced
// in turn, then the autotuned default runs, on shapes covering 1, odd sizes, N = 1, K tails (K not a
// multiple of 16 / 32 / 128, inside and across 16-byte chunks), large K (4096, more K blocks than any
// split count), aligned padded row strides (cp.async path with zero-filled K tails), unaligned row
// strides (the byte-wise loader), grids larger than the GPU, and K at the exactness limit.
#include <map>
#include <memory>

#include "dqw/cuda_gemm_config.h"
#include "test_support.h"

using namespace dqwt;

namespace {

struct Shape {
  int m, n, k, pad_a, pad_w;  // row strides are k + pad
};

const Shape kShapes[] = {
    {1, 1, 1, 0, 0},      {1, 7, 33, 0, 0},    {3, 5, 16, 0, 0},     {17, 9, 65, 0, 0},
    {33, 40, 100, 3, 5},  {130, 129, 200, 0, 0}, {64, 64, 64, 0, 0}, {5, 3, 4099, 1, 0},
    {200, 1, 300, 0, 0},     // N = 1 (one partial column tile), K = 300: 2 K blocks + tail (s8)
    {1, 300, 4096, 0, 0},    // M = 1, long K: 32 (s8) / 64 (half) K blocks, every split count
    {70, 90, 4096, 0, 7},    // long K with an unaligned W stride (byte-wise loader for W and A alike)
    {37, 45, 1000, 24, 8},   // aligned padded strides (1024 / 1008 s8), K % 16 = 8: cp.async zero-fill
    {96, 200, 384, 0, 0},    // exact multiples of the K block, several N tiles
    {1500, 1536, 72, 0, 0},  // 12 x 12 tiles of 128, 24 x 24 of 64: more blocks than SMs
};

// Configuration names in test order: every configuration forced, then "" (the autotuned default).
std::vector<std::string> configs() {
  std::vector<std::string> v;
  for (int i = 0; i < dqw_cuda_gemm_config_count(); ++i) v.push_back(dqw_cuda_gemm_config_name(i));
  v.push_back("");
  return v;
}
// "128x64_splitk2" -> "128x64"; "" for the autotuned default
std::string tile_of(const std::string& config) { return config.substr(0, config.find('_')); }
std::string split_of(const char* config) {
  const char* u = std::strchr(config, '_');
  return u ? u : "";
}

// Forces the configuration (or autotuning for ""), and counts calls whose launched configuration
// (dqw_cuda_gemm_last_config) has another tile than the forced one.
int g_wrong_tile = 0, g_forced_calls = 0;
void force(const std::string& config) { DQWT_OK(dqw_cuda_gemm_force_config(config.c_str())); }
void note_launched(const std::string& config) {
  if (config.empty()) return;
  ++g_forced_calls;
  if (tile_of(dqw_cuda_gemm_last_config()) != tile_of(config)) ++g_wrong_tile;
}
std::string with_config(const std::string& tag, const std::string& config) {
  return tag + " [" + (config.empty() ? std::string("autotuned ") + dqw_cuda_gemm_last_config() : config) + "]";
}

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

// Same float operations as the CPU / CUDA quantizer (inv = 127f/amax; rint(x*inv); clamp; amax/127f).
void quantize_ref(const std::vector<float>& x, int m, int k, int ldx, std::vector<int8_t>& q, std::vector<float>& s) {
  q.assign((size_t)m * k, 0);
  s.assign(m, 0.0f);
  for (int r = 0; r < m; ++r) {
    float amax = 0.0f;
    for (int i = 0; i < k; ++i) amax = std::fmax(amax, std::fabs(x[(size_t)r * ldx + i]));
    volatile float inv = 127.0f / amax;  // volatile: no contraction / reassociation by the host compiler
    if (!(inv <= 3.402823466e38f)) continue;
    for (int i = 0; i < k; ++i) {
      volatile float v = x[(size_t)r * ldx + i] * inv;
      float qv = std::rint((float)v);
      qv = std::fmin(std::fmax(qv, -127.0f), 127.0f);
      q[(size_t)r * k + i] = (int8_t)qv;
    }
    s[r] = amax / 127.0f;
  }
}

void test_quantize() {
  Rng rng(11);
  const int cases[][3] = {{1, 1, 1}, {3, 17, 20}, {7, 1000, 1003}, {2, 5, 5}};
  for (const auto& c : cases) {
    const int m = c[0], k = c[1], ldx = c[2];
    std::vector<float> x = rng.floats((size_t)m * ldx, -3.0f, 3.0f);
    if (m > 1)
      for (int i = 0; i < k; ++i) x[(size_t)ldx + i] = 0.0f;  // an all-zero row: q = 0, scale = 0
    std::vector<int8_t> qr;
    std::vector<float> sr;
    quantize_ref(x, m, k, ldx, qr, sr);
    DevBuf<float> dx(x);
    DevBuf<int8_t> dq((size_t)m * k);
    DevBuf<float> ds(m);
    DQWT_RUN(dqw_cuda_quantize_rows_s8(dx.p, ldx, m, k, dq.p, k, ds.p, nullptr));
    const std::string tag = "quantize_rows m=" + std::to_string(m) + " k=" + std::to_string(k);
    expect_equal(tag + " q", dq.download(), qr);
    expect_equal(tag + " scale", ds.download(), sr);
  }
}

std::vector<int64_t> s8_reference(const std::vector<int8_t>& a, const std::vector<int8_t>& w, const Shape& s) {
  const int lda = s.k + s.pad_a, ldw = s.k + s.pad_w;
  std::vector<int64_t> c((size_t)s.m * s.n);
  for (int i = 0; i < s.m; ++i)
    for (int j = 0; j < s.n; ++j) {
      int64_t acc = 0;
      for (int kk = 0; kk < s.k; ++kk) acc += (int64_t)a[(size_t)i * lda + kk] * w[(size_t)j * ldw + kk];
      c[(size_t)i * s.n + j] = acc;
    }
  return c;
}

void test_s8(const Shape& s, uint64_t seed) {
  Rng rng(seed);
  const int lda = s.k + s.pad_a, ldw = s.k + s.pad_w;
  std::vector<int8_t> a = rng.s8((size_t)s.m * lda), w = rng.s8((size_t)s.n * ldw);
  const std::vector<int64_t> acc = s8_reference(a, w, s);
  const std::string tag = "s8 m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k) +
                          (s.pad_a || s.pad_w ? " padded" : "");
  DevBuf<int8_t> da(a), dw(w);
  for (const std::string& cfg : configs()) {
    force(cfg);
    DevBuf<int32_t> dc((size_t)s.m * s.n);
    DQWT_RUN(dqw_cuda_gemm_s8_s32(da.p, lda, dw.p, ldw, dc.p, s.n, s.m, s.n, s.k, nullptr));
    note_launched(cfg);
    expect_equal(with_config(tag + " s32", cfg), dc.download(), acc);  // exact: integer math
  }
  std::vector<float> as = rng.floats(s.m, 0.001f, 0.02f), ws = rng.floats(s.n, 0.001f, 0.02f),
                     bias = rng.floats(s.n, -1.0f, 1.0f);
  DevBuf<float> das(as), dws(ws), db(bias);
  for (int flags : {0, DQW_EPI_BIAS, DQW_EPI_BIAS | DQW_EPI_GELU, DQW_EPI_GELU}) {
    const int ldy = s.n + 2;  // a padded output stride: columns n..n+1 must stay untouched
    std::vector<double> want, tol;
    for (int i = 0; i < s.m; ++i) {
      for (int j = 0; j < s.n; ++j) {
        double v = (double)acc[(size_t)i * s.n + j] * ((double)as[i] * (double)ws[j]);
        if (flags & DQW_EPI_BIAS) v += bias[j];
        if (flags & DQW_EPI_GELU) v = gelu(v);
        want.push_back(v);
        // float epilogue: (float)acc, s = a_s*w_s, one mul or fma: <= 3 roundings of 2^-24 relative to
        // |acc*s| + |bias| (4e-7 of it), times 1.2 for GELU's slope (< 1.13), plus erff's 2 ulp (1e-6 |y|)
        const double pre = std::fabs((double)acc[(size_t)i * s.n + j] * as[i] * ws[j]) +
                           ((flags & DQW_EPI_BIAS) ? std::fabs((double)bias[j]) : 0.0);
        tol.push_back(1.2 * 4e-7 * pre + 1e-6 * std::fabs(v) + 1e-12);
      }
    }
    for (const std::string& cfg : configs()) {
      force(cfg);
      DevBuf<float> dy((size_t)s.m * ldy);
      dy.fill_bytes(0x7f);  // 0x7f7f7f7f = 3.39e38 marks untouched memory
      DQWT_RUN(dqw_cuda_gemm_s8_f32(da.p, lda, das.p, dw.p, ldw, dws.p, db.p, dy.p, ldy, s.m, s.n, s.k, flags,
                                    nullptr));
      note_launched(cfg);
      const std::vector<float> y = dy.download();
      std::vector<float> got;
      got.reserve(want.size());
      bool pad_ok = true;
      for (int i = 0; i < s.m; ++i)
        for (int j = 0; j < ldy; ++j) {
          if (j >= s.n) pad_ok = pad_ok && y[(size_t)i * ldy + j] > 3.0e38f;
          else got.push_back(y[(size_t)i * ldy + j]);
        }
      const std::string t = with_config(tag + " f32 flags=" + std::to_string(flags), cfg);
      expect_within(t, got, want, tol);
      if (!pad_ok) expect_true(t + " leaves the row padding untouched", pad_ok);
    }
  }
}

void test_s8_exactness_limit() {
  // K = DQW_CUDA_INT8_MAX_K with every product +16384: acc = 2147467264, the largest exact s32 sum
  // (split-K partial sums are smaller, and their s32 sum is the same exact value)
  const int m = 2, n = 3, k = DQW_CUDA_INT8_MAX_K;
  std::vector<int8_t> a((size_t)m * k, (int8_t)-128), w((size_t)n * k, (int8_t)-128);
  DevBuf<int8_t> da(a), dw(w);
  DevBuf<int32_t> dc((size_t)m * n);
  for (const std::string& cfg : configs()) {
    force(cfg);
    DQWT_RUN(dqw_cuda_gemm_s8_s32(da.p, k, dw.p, k, dc.p, n, m, n, k, nullptr));
    note_launched(cfg);
    expect_equal(with_config("s8 k=MAX_K all -128 (no overflow)", cfg), dc.download(),
                 std::vector<int64_t>((size_t)m * n, 16384LL * k));
  }
  expect_true("s8 k=MAX_K+1 rejected",
              dqw_cuda_gemm_s8_s32(da.p, k + 1, dw.p, k + 1, dc.p, n, m, n, k + 1, nullptr) == 1);
}

void test_half(int32_t dt, int32_t y_dt, const Shape& s, uint64_t seed) {
  Rng rng(seed);
  const int lda = s.k + s.pad_a, ldw = s.k + s.pad_w;
  std::vector<float> a = rng.floats((size_t)s.m * lda), w = rng.floats((size_t)s.n * ldw);
  const std::vector<uint8_t> ra = encode(a, dt), rw = encode(w, dt);  // a, w now hold the rounded values
  std::vector<float> bias = rng.floats(s.n);
  DevBuf<uint8_t> da(ra), dw(rw);
  DevBuf<float> db(bias);
  const std::string tag = std::string(dtype_name(dt)) + "->" + dtype_name(y_dt) + " m=" + std::to_string(s.m) +
                          " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k) +
                          (s.pad_a || s.pad_w ? " padded" : "");
  for (int flags : {0, DQW_EPI_BIAS | DQW_EPI_GELU}) {
    std::vector<double> want((size_t)s.m * s.n), tol((size_t)s.m * s.n);
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        double acc = 0.0, mag = 0.0;
        for (int kk = 0; kk < s.k; ++kk) {
          const double p = (double)a[(size_t)i * lda + kk] * w[(size_t)j * ldw + kk];
          acc += p;
          mag += std::fabs(p);
        }
        double v = acc;
        if (flags & DQW_EPI_BIAS) v += bias[j];
        if (flags & DQW_EPI_GELU) v = gelu(v);
        want[(size_t)i * s.n + j] = v;
        // FP32 accumulation inside the tensor cores: each of the ceil(k/16) accumulation steps loses at
        // most ~1 ulp of the running sum (<= sum|a w|), counted as 2^-22 for truncating hardware, +8 steps
        // of slack for the k16 inner sum and the <= 3 FP32 additions of split-K partials (each <= 2^-24 of
        // sum|a w|); GELU's slope < 1.13 (x1.2); then one rounding to the output type
        const double accum = ((s.k + 15) / 16 + 8) * 0x1p-22 * (mag + std::fabs((double)bias[j]));
        tol[(size_t)i * s.n + j] = 1.2 * accum + 1e-6 + 1.01 * unit_roundoff(y_dt) * std::fabs(v);
      }
    // Results must not depend on the tile shape: for one split count the FP32 additions of every element
    // happen in the same order, so all tiles give bit-identical outputs (checked against the first).
    std::map<std::string, std::vector<float>> by_split;
    for (const std::string& cfg : configs()) {
      force(cfg);
      const size_t es = y_dt == DQW_CUDA_F32 ? 4 : 2;
      DevBuf<uint8_t> dy((size_t)s.m * s.n * es);
      DQWT_RUN(dqw_cuda_gemm_half(dt, da.p, lda, dw.p, ldw, db.p, dy.p, s.n, y_dt, s.m, s.n, s.k, flags, nullptr));
      note_launched(cfg);
      const std::vector<float> y = decode(dy.download(), y_dt);
      const std::string t = with_config(tag + " flags=" + std::to_string(flags), cfg);
      expect_within(t, y, want, tol);
      const std::string split = split_of(dqw_cuda_gemm_last_config());
      auto it = by_split.find(split);
      if (it == by_split.end()) {
        by_split.emplace(split, y);
      } else if (!cfg.empty()) {
        expect_equal(t + " bit-identical to the first tile with splits '" + split + "'", y, it->second);
      }
    }
  }
}

}  // namespace

int main() {
  if (!device_available()) return 0;
  test_quantize();
  uint64_t seed = 100;
  for (const Shape& s : kShapes) test_s8(s, ++seed);
  test_s8_exactness_limit();
  for (const Shape& s : kShapes) {
    if ((int64_t)s.m * s.n * s.k > 50000000LL) continue;  // keep the double reference quick
    test_half(DQW_CUDA_F16, DQW_CUDA_F32, s, ++seed);
    test_half(DQW_CUDA_BF16, DQW_CUDA_F32, s, ++seed);
    test_half(DQW_CUDA_F16, DQW_CUDA_F16, s, ++seed);
    test_half(DQW_CUDA_BF16, DQW_CUDA_BF16, s, ++seed);
  }
  {  // many blocks for the half GEMM too, with a modest K
    Shape big{1500, 1536, 24, 0, 0};
    test_half(DQW_CUDA_F16, DQW_CUDA_F32, big, ++seed);
    test_half(DQW_CUDA_BF16, DQW_CUDA_BF16, big, ++seed);
  }
  expect_true("every forced configuration ran its own tile (" + std::to_string(g_forced_calls) + " calls, " +
                  std::to_string(g_wrong_tile) + " wrong)",
              g_forced_calls > 0 && g_wrong_tile == 0);
  // configuration control
  force("");
  expect_true("config count >= 1 and names resolve", dqw_cuda_gemm_config_count() >= 1 &&
                                                        dqw_cuda_gemm_config_name(0) != nullptr &&
                                                        dqw_cuda_gemm_config_name(-1) == nullptr &&
                                                        dqw_cuda_gemm_config_name(dqw_cuda_gemm_config_count()) == nullptr);
  expect_true("unknown config name rejected", dqw_cuda_gemm_force_config("no-such-config") == 1);
  // argument checks
  expect_true("gemm_half rejects F32 inputs",
              dqw_cuda_gemm_half(DQW_CUDA_F32, nullptr, 1, nullptr, 1, nullptr, nullptr, 1, 0, 1, 1, 1, 0, nullptr) == 1);
  expect_true("gemm_s8 rejects lda < k",
              dqw_cuda_gemm_s8_s32((const int8_t*)16, 3, (const int8_t*)16, 4, (int32_t*)16, 1, 1, 1, 4, nullptr) == 1);
  return report("cuda_gemm_test");
}
