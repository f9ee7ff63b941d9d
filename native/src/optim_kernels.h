// Internal: the per-ISA AdamW loops (optim_scalar.cpp, optim_avx2.cpp, optim_avx512.cpp), driven by
// optim.cpp. Declarations and plain structs only: no inline code may be shared between ISA files
// (see cmake/DqwIsa.cmake). Every path evaluates the formula of dqw/optim.h operation by operation.
#pragma once
#include <cstdint>

namespace dqw {
namespace optim {

struct AdamWCoefficients {
  double decay, step_size, sqrt_c2, beta1, one_minus_beta1, beta2, one_minus_beta2, eps;
};

// elements [0, n) of the arrays
using AdamWLoop = void (*)(float* p, const float* g, float* m, float* v, int64_t n, const AdamWCoefficients& c);

AdamWLoop adamw_scalar();
AdamWLoop adamw_avx2();
AdamWLoop adamw_avx512();

}  // namespace optim
}  // namespace dqw
