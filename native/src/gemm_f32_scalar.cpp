// FP32 GEMM, portable path (baseline x86-64, no FMA): 4-row × 32-column micro-kernel written as
// plain loops (the compiler may use SSE2 lanes; each lane still does a separate multiply and add,
// so the arithmetic is that of a scalar loop), and an epilogue whose GELU is computed in double
// with std::erfc and rounded once.
#include <cmath>
#include <cstring>

#include "dqw/api.h"
#include "gemm_f32_kernels.h"

namespace dqw {
namespace gemm_f32 {
namespace {

constexpr int kMr = 4;
constexpr int kCols = kPanelCols;

template <int R>
void kernel(int64_t kc, const float* ap, const float* const* bunit, float* c, int64_t ldc, int ncols, bool load_c) {
  float acc[R][kCols];
  for (int r = 0; r < R; ++r) {
    for (int j = 0; j < kCols; ++j) acc[r][j] = (load_c && j < ncols) ? c[r * ldc + j] : 0.0f;
  }
  const float* b = bunit[0];
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float* bk = b + kk * kCols;
    const float* ak = ap + kk * kMr;
    for (int r = 0; r < R; ++r) {
      const float a = ak[r];
      for (int j = 0; j < kCols; ++j) acc[r][j] += a * bk[j];
    }
  }
  for (int r = 0; r < R; ++r) std::memcpy(c + r * ldc, acc[r], sizeof(float) * ncols);
}

MicroKernel kernel_for(int rows, int units) {
  switch (rows) {
    case 1: return kernel<1>;
    case 2: return kernel<2>;
    case 3: return kernel<3>;
    default: return kernel<4>;
  }
}

void pack_a(const float* a, int64_t rs, int64_t cs, int rows, int64_t kc, float* ap) {
  for (int g0 = 0; g0 < rows; g0 += kMr) {
    float* dst = ap + (int64_t)(g0 / kMr) * kMr * kc;
    const int gr = rows - g0 < kMr ? rows - g0 : kMr;
    for (int64_t kk = 0; kk < kc; ++kk) {
      for (int r = 0; r < kMr; ++r) dst[kk * kMr + r] = r < gr ? a[(g0 + r) * rs + kk * cs] : 0.0f;
    }
  }
}

float gelu(float x) {
  if (std::isinf(x)) return x > 0 ? x : 0.0f;  // the limits (x·Φ(x) would give inf·0 at -inf)
  const double v = x;
  return (float)(0.5 * v * std::erfc(-v * 0.70710678118654752440));
}

void epilogue(float* c, int64_t ldc, int rows, int cols, const float* bias, int flags) {
  for (int r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    if (bias) {
      for (int j = 0; j < cols; ++j) row[j] += bias[j];
    }
    if (flags & DQW_EPI_GELU) {
      for (int j = 0; j < cols; ++j) row[j] = gelu(row[j]);
    }
  }
}

constexpr int kMaxUnitsByRows[kMr + 1] = {0, 1, 1, 1, 1};
constexpr KernelSet kSet = {"scalar", kMr, kMr, kCols, kMaxUnitsByRows, kernel_for, pack_a, epilogue};

}  // namespace

const KernelSet& scalar_kernels() { return kSet; }

}  // namespace gemm_f32
}  // namespace dqw
