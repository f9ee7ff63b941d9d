// Per-ISA peak probes (cpu_peak_avx2.cpp, cpu_peak_avx512.cpp); each returns the operations done.
#ifndef DQW_CPU_PEAK_KERNELS_H
#define DQW_CPU_PEAK_KERNELS_H
#include <stdint.h>

namespace dqw {
namespace peak {
double int8_avx512(int64_t rounds);
double fp32_avx512(int64_t rounds);
double int8_avx2(int64_t rounds);
double fp32_avx2(int64_t rounds);
}  // namespace peak
}  // namespace dqw
#endif
