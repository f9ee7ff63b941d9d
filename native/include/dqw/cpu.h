/* CPU runtime: instruction-set dispatch and the thread pool every CPU kernel uses. */
#ifndef DQW_CPU_H
#define DQW_CPU_H
#include "dqw/api.h"

/* ISA levels, ordered. AVX512 means AVX-512 F/BW/VL/DQ + VNNI (the INT8 fast path). */
#define DQW_ISA_SCALAR 0
#define DQW_ISA_AVX2 1
#define DQW_ISA_AVX512 2

DQW_EXTERN_C_BEGIN
/* Highest level this CPU (and OS) supports. */
DQW_API int32_t dqw_cpu_detected_isa(void);
/* Level the kernels dispatch to now: min(detected, forced). */
DQW_API int32_t dqw_cpu_active_isa(void);
/* Force a level (for tests and benchmarks); -1 clears the force. Returns the active level, or -2
 * when the level asked for is above what the CPU supports (nothing changes then). */
DQW_API int32_t dqw_cpu_force_isa(int32_t level);
/* Threads used by one kernel call (>= 1). Results never depend on it. */
DQW_API void dqw_set_num_threads(int32_t n);
DQW_API int32_t dqw_get_num_threads(void);
/* Peak probe: `rounds` rounds of the instruction mix that bounds a GEMM family on the active path,
 * over enough independent accumulator chains to fill the pipes, from registers only (no memory
 * traffic). Returns the operations done (2 per multiply-add), or -1 for an unknown kind or rounds < 1;
 * the caller times it. DQW_PEAK_INT8: vpdpbusd zmm (AVX-512 VNNI) / vpmaddwd + vpaddd ymm (AVX2) /
 * pmaddwd + paddd xmm (scalar: baseline x86-64 has SSE2 and the compiler vectorises with it).
 * DQW_PEAK_FP32: vfmadd231ps zmm / ymm / mulps + addps xmm (scalar). */
#define DQW_PEAK_INT8 0
#define DQW_PEAK_FP32 1
DQW_API double dqw_cpu_peak_probe(int32_t kind, int64_t rounds);
/* Library version, for diagnostics. */
DQW_API const char* dqw_version(void);
DQW_EXTERN_C_END
#endif
