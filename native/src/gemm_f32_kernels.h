// Internal: the per-instruction-set pieces of the FP32 GEMM (dqw/gemm_f32.h). The driver in
// gemm_f32.cpp (baseline x86-64) owns blocking, packing of B and threading; each ISA file supplies
// a KernelSet of plain function pointers, so no inline function or template crosses ISA files.
//
// Packed B layout (shared by every path and by dqw_sgemm_pack): panels of kPanelCols columns; a
// panel holds kc rows of kPanelCols floats, row kk at offset kk * kPanelCols; lanes past n are 0.
// Packed A layout (internal, per ISA): groups of `mr` rows; group g holds kc steps of a_step >= mr
// floats, step kk at offset kk * a_step (lane r = A[row0 + r, k0 + kk]); rows past m and the
// padding lanes are 0.
#pragma once
#include <cstdint>

namespace dqw {
namespace gemm_f32 {

constexpr int kPanelCols = 32;
constexpr int kMaxRows = 16;   // upper bound of any KernelSet::mr
constexpr int kMaxUnits = 8;   // upper bound of units per micro-kernel call

// C[rows, ncols] (= or +=) Ap[rows, kc] · B[kc, units·unit_cols]; rows and units are fixed by the
// kernel. bunit[u] points at step 0 of unit u (stride kPanelCols floats per step). Only the first
// ncols columns of C are read or written (1 <= ncols <= units·unit_cols). load_c: start from C
// (else from 0). The sum per element is sequential in k: acc = acc + a·b (fused on AVX2/AVX-512).
using MicroKernel = void (*)(int64_t kc, const float* ap, const float* const* bunit, float* c, int64_t ldc,
                             int ncols, bool load_c);

// Packs rows [0, rows) × steps [0, kc) of A, element (i, kk) = a[i·rs + kk·cs], into groups of mr
// rows (the layout above, group g at ap + g·a_step·kc), zero-filling rows past `rows`.
using PackA = void (*)(const float* a, int64_t rs, int64_t cs, int rows, int64_t kc, float* ap);

// C[rows, cols] = gelu?(C + bias?) in place; bias (may be null) already points at column 0.
using Epilogue = void (*)(float* c, int64_t ldc, int rows, int cols, const float* bias, int flags);

struct KernelSet {
  const char* name;
  int mr;                          // rows per packed A group (<= kMaxRows)
  int a_step;                      // floats per k step in a packed A group (>= mr; aligned stores)
  int unit_cols;                   // columns per B unit: kPanelCols, or kPanelCols / 2
  const int* max_units;            // [rows] for rows in 1..mr: widest kernel, in units
  MicroKernel (*kernel)(int rows, int units);  // 1 <= rows <= mr, 1 <= units <= max_units[rows]
  PackA pack_a;
  Epilogue epilogue;
};

const KernelSet& scalar_kernels();
const KernelSet& avx2_kernels();
const KernelSet& avx512_kernels();

}  // namespace gemm_f32
}  // namespace dqw
