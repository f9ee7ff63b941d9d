// Distillation loss kernels (dqw/distill.h): the softmax-MSE hidden-state distance and its gradients.
#include "dqw/distill.h"

#include "parallel.h"

namespace {

// sum_k (ps - pt) * p in double
double dot_diff(const float* ps, const float* pt, const float* p, int64_t f) {
  double s = 0.0;
  for (int64_t k = 0; k < f; ++k) s += ((double)ps[k] - (double)pt[k]) * (double)p[k];
  return s;
}

}  // namespace

extern "C" {

DQW_API void dqw_softmax_mse_rows_f32(const float* ps, const float* pt, const int32_t* mask, float* row_loss,
                                      int64_t rows, int64_t f, float temperature) {
  if (!ps || !pt || !row_loss || rows <= 0 || f <= 0) return;
  const double t2 = (double)temperature * (double)temperature;
  dqw::parallel_for_grain(rows, 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      if (mask && mask[r] == 0) {
        row_loss[r] = 0.0f;
        continue;
      }
      const float* a = ps + r * f;
      const float* b = pt + r * f;
      double s = 0.0;
      for (int64_t k = 0; k < f; ++k) {
        const double d = (double)a[k] - (double)b[k];
        s += d * d;
      }
      row_loss[r] = (float)(t2 * s);
    }
  });
}

DQW_API void dqw_softmax_mse_backward_f32(const float* ps, const float* pt, const int32_t* mask, float* dhs,
                                          float* dat, int64_t rows, int64_t f, float temperature, float scale,
                                          int32_t accumulate) {
  if (!ps || !pt || rows <= 0 || f <= 0 || (!dhs && !dat)) return;
  const double c = 2.0 * (double)scale * (double)temperature;
  dqw::parallel_for_grain(rows, 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* a = ps + r * f;
      const float* b = pt + r * f;
      const bool skip = mask && mask[r] == 0;
      if (dhs) {
        float* g = dhs + r * f;
        const double m = skip ? 0.0 : dot_diff(a, b, a, f);
        for (int64_t k = 0; k < f; ++k) {
          const float v = skip ? 0.0f : (float)(c * (double)a[k] * (((double)a[k] - (double)b[k]) - m));
          g[k] = accumulate ? g[k] + v : v;
        }
      }
      if (dat) {
        float* g = dat + r * f;
        const double m = skip ? 0.0 : dot_diff(a, b, b, f);
        for (int64_t k = 0; k < f; ++k) {
          const float v = skip ? 0.0f : (float)(-c * (double)b[k] * (((double)a[k] - (double)b[k]) - m));
          g[k] = accumulate ? g[k] + v : v;
        }
      }
    }
  });
}

}  // extern "C"
