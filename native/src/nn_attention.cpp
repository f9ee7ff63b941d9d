// Attention entry points (dqw/nn.h): argument packing, per-thread scratch, the thread split over
// work items (see nn_attention_tiles.inc for the item numbering), and delta = rowsum(dout * out).
#include <vector>

#include "dqw/nn.h"
#include "nn_kernels.h"
#include "parallel.h"

namespace dqw {
namespace nn {
int64_t attention_scratch_floats(int64_t Dh) {
  const int64_t dpad = (Dh + 15) / 16 * 16;
  return 4 * Dh * kTile + 2 * kRows * kTile + 2 * kRows * dpad + 4 * kTile + 64;
}
}  // namespace nn
}  // namespace dqw

namespace {

using dqw::nn::AttnArgs;
using dqw::nn::kRows;

AttnArgs pack(const float* q, const float* k, const float* v, int64_t B, int64_t Bk, int64_t Tq, int64_t Tk,
              int64_t heads, int64_t head_dim, int64_t causal_offset) {
  AttnArgs a{};
  a.q = q;
  a.k = k;
  a.v = v;
  a.B = B;
  a.Bk = Bk;
  a.Tq = Tq;
  a.Tk = Tk;
  a.H = heads;
  a.Dh = head_dim;
  a.causal_offset = causal_offset;
  a.scale = (float)(1.0 / __builtin_sqrt((double)head_dim));
  return a;
}

using ItemKernel = void (*)(const AttnArgs&, int64_t, int64_t, float*);

void run_items(ItemKernel kernel, const AttnArgs& a, int64_t items, int64_t extra_floats = 0) {
  const int64_t floats = dqw::nn::attention_scratch_floats(a.Dh) + extra_floats;
  dqw::parallel_for(items, [&](int64_t i0, int64_t i1) {
    std::vector<float> scratch(floats);
    kernel(a, i0, i1, scratch.data());
  });
}

bool valid(int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads, int64_t head_dim) {
  return B > 0 && Tq > 0 && Tk > 0 && heads > 0 && head_dim > 0 && head_dim <= dqw::nn::kMaxHeadDim &&
         (Bk == 1 || Bk == B);
}

}  // namespace

extern "C" {

namespace {
void attention_forward(const float* q, const float* k, const float* v, float* out, float* lse, int64_t B, int64_t Bk,
                       int64_t Tq, int64_t Tk, int64_t heads, int64_t head_dim, int64_t causal_offset, bool rowwise) {
  if (!valid(B, Bk, Tq, Tk, heads, head_dim)) return;
  AttnArgs a = pack(q, k, v, B, Bk, Tq, Tk, heads, head_dim, causal_offset);
  a.o = out;
  a.lse = lse;
  a.rowwise = rowwise;
  const int64_t rows = B / Bk * Tq;
  // a head's transposed keys and packed values (see attention_forward_items), when a group has several query rows
  const int64_t head_floats =
      rows > 1 && !rowwise ? 2 * head_dim * ((Tk + dqw::nn::kTile - 1) / dqw::nn::kTile) * dqw::nn::kTile : 0;
  run_items(dqw::nn::kernels().attention_forward_items, a, Bk * heads * ((rows + kRows - 1) / kRows), head_floats);
}
}  // namespace

DQW_API void dqw_nn_attention_f32(const float* q, const float* k, const float* v, float* out, float* lse,
                                  int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads, int64_t head_dim,
                                  int64_t causal_offset) {
  attention_forward(q, k, v, out, lse, B, Bk, Tq, Tk, heads, head_dim, causal_offset, false);
}

DQW_API void dqw_nn_attention_rowwise_f32(const float* q, const float* k, const float* v, float* out, float* lse,
                                          int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads,
                                          int64_t head_dim, int64_t causal_offset) {
  attention_forward(q, k, v, out, lse, B, Bk, Tq, Tk, heads, head_dim, causal_offset, true);
}

DQW_API void dqw_nn_attention_backward_f32(const float* q, const float* k, const float* v, const float* out,
                                           const float* lse, const float* dout, float* dq, float* dk, float* dv,
                                           int64_t B, int64_t Bk, int64_t Tq, int64_t Tk, int64_t heads,
                                           int64_t head_dim, int64_t causal_offset) {
  if (!valid(B, Bk, Tq, Tk, heads, head_dim)) return;
  AttnArgs a = pack(q, k, v, B, Bk, Tq, Tk, heads, head_dim, causal_offset);
  a.out = out;
  a.dout = dout;
  a.lse = const_cast<float*>(lse);  // read only in the backward passes
  a.dk = dk;
  a.dv = dv;
  // delta[b,h,i] = dout[b,i,h,:] . out[b,i,h,:]
  std::vector<float> delta((size_t)(B * heads * Tq));
  const int64_t HD = heads * head_dim;
  dqw::parallel_for(B * Tq, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / Tq, i = r % Tq;
      for (int64_t h = 0; h < heads; ++h) {
        const float* o = out + r * HD + h * head_dim;
        const float* d = dout + r * HD + h * head_dim;
        double s = 0.0;
        for (int64_t j = 0; j < head_dim; ++j) s += (double)o[j] * d[j];
        delta[(size_t)((b * heads + h) * Tq + i)] = (float)s;
      }
    }
  });
  a.delta = delta.data();
  const auto& kt = dqw::nn::kernels();
  const int64_t rows = B / Bk * Tq;
  a.o = dq;
  run_items(kt.attention_dq_items, a, Bk * heads * ((rows + kRows - 1) / kRows));
  a.o = nullptr;
  run_items(kt.attention_dkv_items, a, Bk * heads * ((Tk + kRows - 1) / kRows));
}

}  // extern "C"
