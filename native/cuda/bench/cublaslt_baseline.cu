// cuBLASLt baselines for cuda_bench (compiled only when the toolkit has libcublasLt).
// Row-major C[M,N] = A[M,K] . W[N,K]^T is, in cuBLAS's column-major terms, C^T[N,M] = op_T(W') . A'
// with W' = W seen as a K x N column-major matrix and A' = A seen as K x M: the "TN" layout that the
// INT8 (IMMA) kernels require.
#include <cublasLt.h>

#include <cstdio>

#include "cublaslt_baseline.h"

struct LtPlan {
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulAlgo_t algo;
  bool int8 = false;
  size_t workspace = 0;
};

static bool lt_ok(cublasStatus_t s, const char* what) {
  if (s == CUBLAS_STATUS_SUCCESS) return true;
  std::fprintf(stderr, "cuBLASLt: %s failed: %s\n", what, cublasLtGetStatusString(s));
  return false;
}

LtPlan* lt_plan_create(bool int8, int m, int n, int k, size_t workspace_bytes) {
  LtPlan* p = new LtPlan();
  p->int8 = int8;
  p->workspace = workspace_bytes;
  const cudaDataType_t in_t = int8 ? CUDA_R_8I : CUDA_R_16F, out_t = int8 ? CUDA_R_32I : CUDA_R_16F;
  const cublasComputeType_t compute = int8 ? CUBLAS_COMPUTE_32I : CUBLAS_COMPUTE_32F;
  const cudaDataType_t scale_t = int8 ? CUDA_R_32I : CUDA_R_32F;
  const cublasOperation_t opT = CUBLAS_OP_T, opN = CUBLAS_OP_N;
  bool ok = lt_ok(cublasLtCreate(&p->handle), "create") &&
            lt_ok(cublasLtMatmulDescCreate(&p->desc, compute, scale_t), "desc") &&
            lt_ok(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &opT, sizeof(opT)), "transa") &&
            lt_ok(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &opN, sizeof(opN)), "transb") &&
            lt_ok(cublasLtMatrixLayoutCreate(&p->la, in_t, k, n, k), "layout W") &&
            lt_ok(cublasLtMatrixLayoutCreate(&p->lb, in_t, k, m, k), "layout A") &&
            lt_ok(cublasLtMatrixLayoutCreate(&p->lc, out_t, n, m, n), "layout C");
  if (ok) {
    cublasLtMatmulPreference_t pref = nullptr;
    cublasLtMatmulHeuristicResult_t result;
    int found = 0;
    ok = lt_ok(cublasLtMatmulPreferenceCreate(&pref), "preference") &&
         lt_ok(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes,
                                                    sizeof(workspace_bytes)),
               "workspace") &&
         lt_ok(cublasLtMatmulAlgoGetHeuristic(p->handle, p->desc, p->la, p->lb, p->lc, p->lc, pref, 1, &result, &found),
               "heuristic");
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    if (ok && found > 0) p->algo = result.algo;
    else ok = false;
  }
  if (!ok) {
    lt_plan_destroy(p);
    return nullptr;
  }
  return p;
}

bool lt_plan_run(LtPlan* p, const void* a, const void* w, void* c, void* workspace, void* stream) {
  const int32_t ialpha = 1, ibeta = 0;
  const float falpha = 1.0f, fbeta = 0.0f;
  const void* alpha = p->int8 ? (const void*)&ialpha : (const void*)&falpha;
  const void* beta = p->int8 ? (const void*)&ibeta : (const void*)&fbeta;
  return lt_ok(cublasLtMatmul(p->handle, p->desc, alpha, w, p->la, a, p->lb, beta, c, p->lc, c, p->lc, &p->algo,
                              workspace, p->workspace, (cudaStream_t)stream),
               "matmul");
}

void lt_plan_destroy(LtPlan* p) {
  if (!p) return;
  if (p->la) cublasLtMatrixLayoutDestroy(p->la);
  if (p->lb) cublasLtMatrixLayoutDestroy(p->lb);
  if (p->lc) cublasLtMatrixLayoutDestroy(p->lc);
  if (p->desc) cublasLtMatmulDescDestroy(p->desc);
  if (p->handle) cublasLtDestroy(p->handle);
  delete p;
}
