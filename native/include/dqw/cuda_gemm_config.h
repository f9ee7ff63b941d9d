/* Kernel configurations of the tensor-core GEMMs (dqw_cuda_gemm_s8_s32, dqw_cuda_gemm_s8_f32,
 * dqw_cuda_gemm_half in cuda_kernels.h), for tests and benchmarks. libdqw_cuda.so built with nvcc only.
 *
 * A configuration is a block tile (rows of y x columns of y per thread block) and a split-K count:
 * "128x64" = 128 x 64 tiles over the whole of K; "64x64_splitk4" = 64 x 64 tiles, K cut into 4
 * contiguous ranges whose partial sums (s32, or F32 for the half GEMM) go to a stream-ordered scratch
 * buffer and are added in a fixed order (split 0 first) by a second kernel that applies the epilogue.
 * INT8 results are exact in every configuration. Half GEMM results depend on the split count only
 * (the order of the FP32 additions), never on the tile shape; the autotuner picks split-K only for INT8,
 * so autotuned half results are the same in every process (a forced split-K configuration changes them).
 *
 * By default every distinct call (operand type, epilogue, flags, m, n, k, 16-byte alignment, device)
 * is autotuned once: its first call times every configuration on the caller's stream with cudaEvents
 * (that first call synchronizes the stream; inside a stream capture no tuning happens and a fixed
 * heuristic choice is used), and later calls reuse the fastest. The environment variable
 * DQW_CUDA_GEMM_CONFIG=<name>, read at the first GEMM call, forces one configuration for every call.
 */
#ifndef DQW_CUDA_GEMM_CONFIG_H
#define DQW_CUDA_GEMM_CONFIG_H
#include "dqw/api.h"

DQW_EXTERN_C_BEGIN
/* Number of configurations (>= 1). */
DQW_API int32_t dqw_cuda_gemm_config_count(void);
/* Name of configuration index (0 <= index < count), NULL out of range. Static storage. */
DQW_API const char* dqw_cuda_gemm_config_name(int32_t index);
/* Forces configuration `name` for every later GEMM call of the process (overrides the environment
 * variable); NULL or "" returns to autotuning. Returns 0, or cudaErrorInvalidValue (1) for an unknown
 * name (the setting is then unchanged). A forced split count larger than the number of 128-byte
 * K blocks is reduced to it. */
DQW_API int32_t dqw_cuda_gemm_force_config(const char* name);
/* Name of the configuration the calling thread's latest accepted GEMM call ran ("" before any).
 * The split count shown is the one actually used. Static storage. */
DQW_API const char* dqw_cuda_gemm_last_config(void);
DQW_EXTERN_C_END
#endif
