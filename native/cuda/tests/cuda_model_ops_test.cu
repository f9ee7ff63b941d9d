// Standalone checks of dqw/cuda_model_ops.h (no JVM) against double references: the 1-D im2col (both input
// layouts, kernel / stride / padding variants, F32 / F16 / BF16 output, awkward sizes) and the residual add.
// Both kernels round once per element (im2col: the input value to the output type; add: the exact sum to
// float), so the expected values are the double reference rounded the same way and the tolerance is zero.
#include "dqw/cuda_model_ops.h"
#include "test_support.h"

using namespace dqwt;

namespace {

// Rounds a double reference to the output dtype the way the kernel stores it (one round to nearest even).
double round_to(double v, int32_t dtype) {
  const float f = (float)v;
  if (dtype == DQW_CUDA_F32) return f;
  if (dtype == DQW_CUDA_F16) return __half2float(__float2half_rn(f));
  return __bfloat162float(__float2bfloat16_rn(f));
}

void test_im2col(int64_t T, int64_t C, int kernel, int stride, int pad, bool channel_major, int32_t dtype,
                 uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats((size_t)(T * C), -3.0f, 3.0f);
  const int64_t t_stride = channel_major ? 1 : C, c_stride = channel_major ? T : 1;
  const int64_t t_out = (T + 2 * pad - kernel) / stride + 1;
  const int64_t row = C * kernel;
  std::vector<double> want((size_t)(t_out * row));
  for (int64_t o = 0; o < t_out; ++o)
    for (int64_t c = 0; c < C; ++c)
      for (int j = 0; j < kernel; ++j) {
        const int64_t t = o * stride + j - pad;
        const double v = (t >= 0 && t < T) ? (double)x[(size_t)(t * t_stride + c * c_stride)] : 0.0;
        want[(size_t)(o * row + c * kernel + j)] = round_to(v, dtype);
      }
  DevBuf<float> dx(x);
  const size_t es = dtype == DQW_CUDA_F32 ? 4 : 2;
  DevBuf<uint8_t> dcols((size_t)(t_out * row) * es);
  dcols.fill_bytes(0x7f);  // garbage: every element must be written
  DQWT_RUN(dqw_cuda_im2col_1d(dx.p, t_stride, c_stride, T, C, kernel, stride, pad, dcols.p, dtype, t_out, nullptr));
  std::vector<float> got = decode(dcols.download(), dtype);
  char what[160];
  std::snprintf(what, sizeof what, "im2col T=%lld C=%lld k=%d s=%d p=%d %s %s", (long long)T, (long long)C, kernel,
                stride, pad, channel_major ? "channel-major" : "time-major", dtype_name(dtype));
  expect_within(what, got, want, std::vector<double>(want.size(), 0.0));
}

// Whisper's conv2 input is conv1's output: a shorter t_out than the maximum is allowed (first rows only).
void test_im2col_partial(uint64_t seed) {
  Rng rng(seed);
  const int64_t T = 11, C = 3, t_out = 2;
  std::vector<float> x = rng.floats((size_t)(T * C));
  std::vector<double> want((size_t)(t_out * C * 3));
  for (int64_t o = 0; o < t_out; ++o)
    for (int64_t c = 0; c < C; ++c)
      for (int j = 0; j < 3; ++j) {
        const int64_t t = o * 2 + j - 1;
        want[(size_t)(o * C * 3 + c * 3 + j)] = (t >= 0 && t < T) ? (double)x[(size_t)(t * C + c)] : 0.0;
      }
  DevBuf<float> dx(x);
  DevBuf<float> dcols(want.size());
  DQWT_RUN(dqw_cuda_im2col_1d(dx.p, C, 1, T, C, 3, 2, 1, dcols.p, DQW_CUDA_F32, t_out, nullptr));
  expect_within("im2col first rows only (t_out 2 of 6)", dcols.download(), want, std::vector<double>(want.size(), 0.0));
}

void test_im2col_rejects() {
  DevBuf<float> x(64), cols(256);
  struct Bad { const char* what; int32_t err; };
  const Bad bad[] = {
      {"pad >= kernel", dqw_cuda_im2col_1d(x.p, 1, 8, 8, 8, 3, 1, 3, cols.p, DQW_CUDA_F32, 1, nullptr)},
      {"t_out too large", dqw_cuda_im2col_1d(x.p, 1, 8, 8, 8, 3, 1, 1, cols.p, DQW_CUDA_F32, 9, nullptr)},
      {"bad dtype", dqw_cuda_im2col_1d(x.p, 1, 8, 8, 8, 3, 1, 1, cols.p, 7, 8, nullptr)},
      {"null x", dqw_cuda_im2col_1d(nullptr, 1, 8, 8, 8, 3, 1, 1, cols.p, DQW_CUDA_F32, 8, nullptr)},
      {"zero stride", dqw_cuda_im2col_1d(x.p, 1, 8, 8, 8, 3, 0, 1, cols.p, DQW_CUDA_F32, 8, nullptr)},
      {"kernel longer than padded input", dqw_cuda_im2col_1d(x.p, 1, 1, 1, 1, 5, 1, 1, cols.p, DQW_CUDA_F32, 1, nullptr)},
  };
  for (const Bad& b : bad) {
    if (b.err == 1) {
      std::printf("ok   im2col rejects %s\n", b.what);
      ++g_pass;
    } else {
      std::printf("FAIL im2col accepted %s (returned %d)\n", b.what, (int)b.err);
      ++g_fail;
    }
  }
  (void)dqw_cuda_get_last_error();
}

void test_add(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> y = rng.floats((size_t)n, -5.0f, 5.0f), x = rng.floats((size_t)n, -5.0f, 5.0f);
  std::vector<double> want((size_t)n);
  for (size_t i = 0; i < (size_t)n; ++i) want[i] = (float)((double)y[i] + (double)x[i]);  // exact sum, rounded once
  DevBuf<float> dy(y), dx(x);
  DQWT_RUN(dqw_cuda_add_inplace_f32(dy.p, dx.p, n, nullptr));
  char what[64];
  std::snprintf(what, sizeof what, "add_inplace n=%lld", (long long)n);
  expect_within(what, dy.download(), want, std::vector<double>((size_t)n, 0.0));
}

void test_add_aliased(uint64_t seed) {
  Rng rng(seed);
  std::vector<float> y = rng.floats(1001);
  std::vector<double> want(y.size());
  for (size_t i = 0; i < y.size(); ++i) want[i] = 2.0 * y[i];
  DevBuf<float> dy(y);
  DQWT_RUN(dqw_cuda_add_inplace_f32(dy.p, dy.p, (int64_t)y.size(), nullptr));
  expect_within("add_inplace y += y", dy.download(), want, std::vector<double>(want.size(), 0.0));
}

}  // namespace

int main() {
  if (!device_available()) return 0;
  uint64_t seed = 900;
  for (int32_t dt : {DQW_CUDA_F32, DQW_CUDA_F16, DQW_CUDA_BF16}) {
    test_im2col(1, 1, 1, 1, 0, false, dt, ++seed);
    test_im2col(3000, 80, 3, 1, 1, true, dt, ++seed);   // whisper conv1 on a band-major mel
    test_im2col(3000, 64, 3, 2, 1, false, dt, ++seed);  // whisper conv2 on conv1's time-major output
    test_im2col(37, 5, 3, 2, 1, true, dt, ++seed);      // odd length, stride 2
    test_im2col(17, 9, 5, 3, 2, false, dt, ++seed);     // wider kernel and padding
    test_im2col(2, 3, 3, 1, 1, false, dt, ++seed);      // shorter than the kernel without padding
  }
  test_im2col_partial(++seed);
  test_im2col_rejects();
  for (int64_t n : {1, 7, 1000, 96000, 1500 * 1280 + 3}) test_add(n, ++seed);
  test_add_aliased(++seed);
  return report("cuda_model_ops_test");
}
