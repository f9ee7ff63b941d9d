// Internal: the per-ISA range kernels behind dqw/nn.h. Not part of the C ABI.
//
// Each ISA translation unit (nn_vec_scalar.cpp, nn_vec_avx2.cpp, nn_vec_avx512.cpp) compiles the
// same algorithm sources (nn_rowops.inc, nn_attention_tiles.inc) over its own vector primitives
// (nn_simd_*.inc), all with internal linkage, and exposes them through one table. The kernels work
// on a sub-range of independent outputs [begin, end); the public entry points (nn_*.cpp, baseline
// ISA) split the range over threads, allocate scratch, and pick the table.
#pragma once
#include <cstdint>

namespace dqw {
namespace nn {

// Attention tiling. Key (forward / dq pass) or query (dk/dv pass) tiles are transposed into
// [Dh][kTile] blocks; a work item covers kRows query rows (forward, dq) or key rows (dk/dv).
constexpr int kTile = 64;
constexpr int kRows = 32;
constexpr int kMaxHeadDim = 256;

struct AttnArgs {
  const float* q;
  const float* k;
  const float* v;
  const float* out;   // forward output (backward only)
  const float* dout;  // backward only
  const float* delta; // [B,H,Tq] rowsum(dout * out) (backward only)
  float* o;           // forward: out; backward: dq
  float* lse;         // forward: written if non-null; backward: read
  float* dk;
  float* dv;
  int64_t B, Bk, Tq, Tk, H, Dh, causal_offset;
  float scale;
  bool rowwise;  // forward: every query row computed as if alone (dqw_nn_attention_rowwise_f32)
};

// Floats of scratch one thread needs for the attention kernels (any of the three passes):
// 4 tiles of kTile x Dh (transposed or packed), 2 score tiles [kRows][kTile], 2 accumulators
// [kRows][Dh rounded up to 16], 4 per-row/per-column vectors of kTile. Defined in nn_attention.cpp.
int64_t attention_scratch_floats(int64_t Dh);

struct Kernels {
  // rows [r0, r1) of x [M,D]
  void (*layernorm_rows)(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                         float* rstd, int64_t D, float eps, int64_t r0, int64_t r1);
  void (*layernorm_backward_rows)(const float* dy, const float* x, const float* gamma, const float* mean,
                                  const float* rstd, float* dx, int64_t D, int32_t accumulate,
                                  int64_t r0, int64_t r1);
  // columns [c0, c1) of the [M,D] gradients
  void (*layernorm_param_grad_cols)(const float* dy, const float* x, const float* mean, const float* rstd,
                                    float* dgamma, float* dbeta, int64_t M, int64_t D, int64_t c0,
                                    int64_t c1);
  // elements [i0, i1)
  void (*gelu_range)(const float* x, float* y, int64_t i0, int64_t i1);
  void (*gelu_backward_range)(const float* x, const float* dy, float* dx, int64_t i0, int64_t i1);
  void (*erf_range)(const float* x, float* y, int64_t i0, int64_t i1);
  // rows [r0, r1) of [M,N]
  void (*softmax_rows)(const float* x, float* y, int64_t N, int64_t r0, int64_t r1);
  void (*softmax_backward_rows)(const float* y, const float* dy, float* dx, int64_t N, int64_t r0,
                                int64_t r1);
  void (*cross_entropy_rows)(const float* logits, const int32_t* targets, float* losses, float* dlogits,
                             int64_t V, int32_t ignore_index, float smoothing, float scale, int64_t r0,
                             int64_t r1);
  void (*kl_rows)(const float* student, const float* teacher, const int32_t* mask, float* losses,
                  float* dstudent, int64_t V, float temperature, float scale, int64_t r0, int64_t r1);
  // attention work items [i0, i1); see nn_attention.cpp for the item numbering
  void (*attention_forward_items)(const AttnArgs& a, int64_t i0, int64_t i1, float* scratch);
  void (*attention_dq_items)(const AttnArgs& a, int64_t i0, int64_t i1, float* scratch);
  void (*attention_dkv_items)(const AttnArgs& a, int64_t i0, int64_t i1, float* scratch);
  // rows [r0, r1) of x [N,V]: greedy pick and its log-softmax
  void (*argmax_log_softmax_rows)(const float* x, int32_t* idx, double* logp, int64_t V, int64_t r0, int64_t r1);
  double (*log_sum_exp_row)(const float* x, int64_t n);
};

const Kernels& kernels_scalar();
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();
// The table for dqw::active_isa().
const Kernels& kernels();

}  // namespace nn
}  // namespace dqw
