// AdamW: C ABI, ISA dispatch and the thread split. The element loops live in optim_scalar.cpp /
// optim_avx2.cpp / optim_avx512.cpp; every element is independent, so any split gives the same bits.
#include "dqw/optim.h"

#include "dqw/cpu.h"
#include "optim_kernels.h"
#include "parallel.h"

namespace {
constexpr int64_t kGrain = 1 << 14;  // elements per chunk: 4 x 64 KB of streams, enough to amortise a wake-up
}

extern "C" {

DQW_API void dqw_adamw_step_f32(float* p, const float* g, float* m, float* v, int64_t n, double decay, double step_size,
                                double sqrt_c2, double beta1, double one_minus_beta1, double beta2,
                                double one_minus_beta2, double eps) {
  if (n <= 0) return;
  const dqw::optim::AdamWCoefficients c{decay, step_size, sqrt_c2, beta1, one_minus_beta1, beta2, one_minus_beta2, eps};
  dqw::optim::AdamWLoop loop;
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: loop = dqw::optim::adamw_avx512(); break;
    case DQW_ISA_AVX2: loop = dqw::optim::adamw_avx2(); break;
    default: loop = dqw::optim::adamw_scalar(); break;
  }
  auto body = [&](int64_t begin, int64_t end) { loop(p + begin, g + begin, m + begin, v + begin, end - begin, c); };
  if (n <= kGrain) {
    body(0, n);
  } else {
    dqw::parallel_for_grain(n, kGrain, body);
  }
}

}  // extern "C"
