// cuBLASLt GEMM plans for the benchmark's baselines (row-major C[M,N] = A[M,K] . W[N,K]^T).
// int8: s8 x s8 -> s32 (compute 32I); otherwise f16 x f16 -> f16 (compute 32F).
#ifndef DQW_CUBLASLT_BASELINE_H
#define DQW_CUBLASLT_BASELINE_H
#include <cstddef>

struct LtPlan;
// nullptr when cuBLASLt has no algorithm for the shape (the reason is printed to stderr)
LtPlan* lt_plan_create(bool int8, int m, int n, int k, size_t workspace_bytes);
bool lt_plan_run(LtPlan* plan, const void* a, const void* w, void* c, void* workspace, void* stream);
void lt_plan_destroy(LtPlan* plan);
#endif
