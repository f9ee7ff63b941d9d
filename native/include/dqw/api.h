/* Common definitions of the dq-whisper C ABI: extern "C", fixed-width integers, raw pointers. */
#ifndef DQW_API_H
#define DQW_API_H
#include <stdint.h>
#include <stddef.h>

#if defined(DQW_BUILDING)
#define DQW_API __attribute__((visibility("default")))
#else
#define DQW_API
#endif

#ifdef __cplusplus
#define DQW_EXTERN_C_BEGIN extern "C" {
#define DQW_EXTERN_C_END }
#else
#define DQW_EXTERN_C_BEGIN
#define DQW_EXTERN_C_END
#endif

/* Epilogue flags shared by the GEMM kernels. */
#define DQW_EPI_NONE 0
#define DQW_EPI_BIAS 1 /* add bias[n] */
#define DQW_EPI_GELU 2 /* exact-erf GELU after the bias */

#endif
