// Picks the nn kernel table for the active ISA (dqw_cpu_force_isa can change it between calls).
#include "dqw/cpu.h"
#include "nn_kernels.h"
#include "parallel.h"

namespace dqw {
namespace nn {

const Kernels& kernels() {
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: return kernels_avx512();
    case DQW_ISA_AVX2: return kernels_avx2();
    default: return kernels_scalar();
  }
}

}  // namespace nn
}  // namespace dqw
