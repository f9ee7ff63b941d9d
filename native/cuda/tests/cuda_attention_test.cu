// Attention kernels against a double-precision reference computed from the same (rounded) inputs:
// the tensor-core forward (F16/BF16, Dh 64), the generic forward (any Dh <= 128, F32 too), the naive
// materialized kernel, and the backward. Shapes: single query/key, tails of the 64-wide tiles, shared
// K/V (Bk = 1), causal prompts, and decode steps at a causal offset.
#include "test_support.h"

using namespace dqwt;

namespace {

struct Case {
  int B, Bk, Tq, Tk, H, D;
  int64_t off;
  std::string name() const {
    return "B=" + std::to_string(B) + " Bk=" + std::to_string(Bk) + " Tq=" + std::to_string(Tq) +
           " Tk=" + std::to_string(Tk) + " H=" + std::to_string(H) + " D=" + std::to_string(D) +
           " off=" + std::to_string(off);
  }
  size_t q_elems() const { return (size_t)B * Tq * H * D; }
  size_t kv_elems() const { return (size_t)Bk * Tk * H * D; }
  size_t idx_q(int b, int i, int h) const { return (((size_t)b * Tq + i) * H + h) * D; }
  size_t idx_k(int b, int j, int h) const { return (((size_t)(Bk == 1 ? 0 : b) * Tk + j) * H + h) * D; }
  bool visible(int i, int j) const { return off < 0 || j <= off + i; }
};

struct Inputs {
  std::vector<float> q, k, v;  // rounded to the dtype
  std::vector<uint8_t> rq, rk, rv;
};

Inputs make_inputs(const Case& c, int32_t dt, uint64_t seed) {
  Rng rng(seed);
  Inputs in;
  in.q = rng.floats(c.q_elems(), -4.0f, 4.0f);  // |q| up to 4: peaked softmax rows, large outputs
  in.k = rng.floats(c.kv_elems());
  in.v = rng.floats(c.kv_elems());
  in.rq = encode(in.q, dt);
  in.rk = encode(in.k, dt);
  in.rv = encode(in.v, dt);
  return in;
}

// probabilities P[b][h][i][j] (0 where masked) and lse, in double
void softmax_ref(const Case& c, const Inputs& in, std::vector<double>& P, std::vector<double>& lse) {
  const double scale = 1.0 / std::sqrt((double)c.D);
  P.assign((size_t)c.B * c.H * c.Tq * c.Tk, 0.0);
  lse.assign((size_t)c.B * c.H * c.Tq, 0.0);
  std::vector<double> s(c.Tk);
  for (int b = 0; b < c.B; ++b)
    for (int h = 0; h < c.H; ++h)
      for (int i = 0; i < c.Tq; ++i) {
        double m = -INFINITY;
        for (int j = 0; j < c.Tk; ++j) {
          if (!c.visible(i, j)) continue;
          double dot = 0.0;
          for (int d = 0; d < c.D; ++d) dot += (double)in.q[c.idx_q(b, i, h) + d] * in.k[c.idx_k(b, j, h) + d];
          s[j] = dot * scale;
          m = std::max(m, s[j]);
        }
        double l = 0.0;
        for (int j = 0; j < c.Tk; ++j)
          if (c.visible(i, j)) l += std::exp(s[j] - m);
        double* row = &P[(((size_t)b * c.H + h) * c.Tq + i) * c.Tk];
        for (int j = 0; j < c.Tk; ++j) row[j] = c.visible(i, j) ? std::exp(s[j] - m) / l : 0.0;
        lse[((size_t)b * c.H + h) * c.Tq + i] = m + std::log(l);
      }
}

std::vector<double> output_ref(const Case& c, const Inputs& in, const std::vector<double>& P) {
  std::vector<double> out(c.q_elems(), 0.0);
  for (int b = 0; b < c.B; ++b)
    for (int h = 0; h < c.H; ++h)
      for (int i = 0; i < c.Tq; ++i)
        for (int j = 0; j < c.Tk; ++j) {
          const double p = P[(((size_t)b * c.H + h) * c.Tq + i) * c.Tk + j];
          if (p == 0.0) continue;
          for (int d = 0; d < c.D; ++d) out[c.idx_q(b, i, h) + d] += p * in.v[c.idx_k(b, j, h) + d];
        }
  return out;
}

enum class Path { Dispatch, Generic, Naive };

void check_forward(const Case& c, int32_t dt, Path path, bool misalign, uint64_t seed) {
  Inputs in = make_inputs(c, dt, seed);
  std::vector<double> P, lse;
  softmax_ref(c, in, P, lse);
  const std::vector<double> want = output_ref(c, in, P);
  const size_t es = dt == DQW_CUDA_F32 ? 4 : 2, shift = misalign ? es : 0;  // misalign: one element off 16 bytes
  DevBuf<uint8_t> dq(in.rq.size() + shift), dk(in.rk), dv(in.rv), dout(c.q_elems() * es);
  DQWT_OK(dqw_cuda_memcpy_h2d(dq.p + shift, in.rq.data(), (int64_t)in.rq.size(), nullptr));
  DevBuf<float> dlse((size_t)c.B * c.H * c.Tq);
  const char* pname = path == Path::Dispatch ? "forward" : path == Path::Generic ? "generic" : "naive";
  if (path == Path::Naive) {
    DevBuf<float> scores((size_t)c.B * c.H * c.Tq * c.Tk);
    DQWT_RUN(dqw_cuda_attention_naive(dt, dq.p, dk.p, dv.p, dout.p, dlse.p, scores.p, c.B, c.Bk, c.Tq, c.Tk, c.H, c.D,
                                      c.off, nullptr));
  } else {
    auto fn = path == Path::Dispatch ? dqw_cuda_attention_forward : dqw_cuda_attention_forward_generic;
    DQWT_RUN(fn(dt, dq.p + shift, dk.p, dv.p, dout.p, dlse.p, c.B, c.Bk, c.Tq, c.Tk, c.H, c.D, c.off, nullptr));
  }
  const std::vector<float> got = decode(dout.download(), dt);
  // Tensor-core path (F16/BF16, D = 64, aligned): P is rounded to the input type before P.V, an error
  // of <= u * sum_j p_j |v_j| <= u (|v| <= 1); plus one rounding of the output (u |o|); x1.5 slack.
  // All paths do FP32 math: scores of |q| <= 4 over D <= 128 terms carry ~1e-5 relative error into p,
  // so 5e-5 absolute (|v| <= 1); the output is rounded once to its type (1.01 u |o|).
  const bool tensor_cores = path == Path::Dispatch && c.D == 64 && dt != DQW_CUDA_F32 && !misalign;
  const double u = unit_roundoff(dt);
  std::vector<double> tol(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    tol[i] = (tensor_cores ? 1.5 * u : 0.0) + 1.01 * u * std::fabs(want[i]) + 5e-5;
  const std::string tag = std::string(pname) + " " + dtype_name(dt) + (misalign ? " misaligned " : " ") + c.name();
  expect_within(tag + " out", got, want, tol);
  // lse: FP32 scores of rounded inputs (~1e-5) and float exp/log sums: 5e-5 * (1 + |lse|)
  std::vector<double> lse_tol(lse.size());
  for (size_t i = 0; i < lse.size(); ++i) lse_tol[i] = 5e-5 * (1.0 + std::fabs(lse[i]));
  expect_within(tag + " lse", dlse.download(), lse, lse_tol);
}

void check_backward(const Case& c, int32_t dt, uint64_t seed) {
  Inputs in = make_inputs(c, dt, seed);
  std::vector<double> P, lse;
  softmax_ref(c, in, P, lse);
  const std::vector<double> o = output_ref(c, in, P);
  Rng rng(seed * 7 + 1);
  std::vector<float> dO = rng.floats(c.q_elems());
  std::vector<float> of(o.begin(), o.end());
  const std::vector<uint8_t> rdo = encode(dO, dt), ro = encode(of, dt);  // the kernel sees rounded O and dO
  std::vector<float> lsef(lse.begin(), lse.end());
  const double scale = 1.0 / std::sqrt((double)c.D);
  std::vector<double> dq(c.q_elems(), 0.0), dk(c.kv_elems(), 0.0), dv(c.kv_elems(), 0.0);
  for (int b = 0; b < c.B; ++b)
    for (int h = 0; h < c.H; ++h)
      for (int i = 0; i < c.Tq; ++i) {
        double Di = 0.0;
        for (int d = 0; d < c.D; ++d) Di += (double)dO[c.idx_q(b, i, h) + d] * of[c.idx_q(b, i, h) + d];
        for (int j = 0; j < c.Tk; ++j) {
          // P from the float lse the kernel is given (exact softmax up to that rounding)
          if (!c.visible(i, j)) continue;
          double s = 0.0, dp = 0.0;
          for (int d = 0; d < c.D; ++d) {
            s += (double)in.q[c.idx_q(b, i, h) + d] * in.k[c.idx_k(b, j, h) + d];
            dp += (double)dO[c.idx_q(b, i, h) + d] * in.v[c.idx_k(b, j, h) + d];
          }
          const double p = std::exp(s * scale - (double)lsef[((size_t)b * c.H + h) * c.Tq + i]);
          const double ds = p * (dp - Di);
          for (int d = 0; d < c.D; ++d) {
            dq[c.idx_q(b, i, h) + d] += scale * ds * in.k[c.idx_k(b, j, h) + d];
            dk[c.idx_k(b, j, h) + d] += scale * ds * in.q[c.idx_q(b, i, h) + d];
            dv[c.idx_k(b, j, h) + d] += p * dO[c.idx_q(b, i, h) + d];
          }
        }
      }
  DevBuf<uint8_t> dq_in(in.rq), dk_in(in.rk), dv_in(in.rv), do_in(rdo), o_in(ro);
  DevBuf<float> dl(lsef), gq(c.q_elems()), gk(c.kv_elems()), gv(c.kv_elems()), work((size_t)c.B * c.H * c.Tq);
  DQWT_RUN(dqw_cuda_attention_backward(dt, dq_in.p, dk_in.p, dv_in.p, o_in.p, dl.p, do_in.p, gq.p, gk.p, gv.p, work.p,
                                       c.B, c.Bk, c.Tq, c.Tk, c.H, c.D, c.off, nullptr));
  const std::string tag = std::string("backward ") + dtype_name(dt) + " " + c.name();
  // FP32 math over <= 200 keys/queries and D <= 128 terms: 1e-4 of the tensor's largest gradient is
  // ~100x the expected float error yet far below what a wrong index or mask produces (O(max))
  auto tol_of = [](const std::vector<double>& w) {
    double mx = 0.0;
    for (double x : w) mx = std::max(mx, std::fabs(x));
    return std::vector<double>(w.size(), 1e-4 * mx + 1e-7);
  };
  expect_within(tag + " dq", gq.download(), dq, tol_of(dq));
  expect_within(tag + " dk", gk.download(), dk, tol_of(dk));
  expect_within(tag + " dv", gv.download(), dv, tol_of(dv));
}

}  // namespace

int main() {
  if (!device_available()) return 0;
  const Case d64[] = {
      {1, 1, 1, 1, 1, 64, -1},   {2, 2, 17, 33, 3, 64, -1},  {2, 1, 65, 130, 2, 64, -1},
      {1, 1, 100, 100, 2, 64, 0}, {3, 3, 1, 37, 2, 64, 36},  {2, 2, 5, 70, 1, 64, 60},
      {1, 1, 130, 200, 1, 64, 50},
  };
  uint64_t seed = 1000;
  for (const Case& c : d64) {
    check_forward(c, DQW_CUDA_F16, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_BF16, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_F16, Path::Generic, false, ++seed);
    check_forward(c, DQW_CUDA_F32, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_F16, Path::Naive, false, ++seed);
  }
  check_forward(d64[2], DQW_CUDA_F16, Path::Dispatch, true, ++seed);  // misaligned q: generic fallback
  const Case other[] = {
      {2, 2, 9, 13, 2, 1, -1}, {1, 1, 33, 47, 3, 40, 0}, {2, 1, 3, 50, 2, 72, 40}, {1, 1, 20, 20, 1, 128, -1},
  };
  for (const Case& c : other) {
    check_forward(c, DQW_CUDA_F16, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_BF16, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_F32, Path::Dispatch, false, ++seed);
    check_forward(c, DQW_CUDA_F32, Path::Naive, false, ++seed);
  }
  const Case bwd[] = {
      {2, 2, 9, 13, 2, 64, -1}, {2, 1, 7, 20, 2, 40, -1}, {1, 1, 33, 33, 1, 64, 0}, {2, 2, 3, 40, 2, 16, 37},
      {1, 1, 40, 70, 1, 128, 30},
  };
  for (const Case& c : bwd) {
    check_backward(c, DQW_CUDA_F32, ++seed);
    check_backward(c, DQW_CUDA_F16, ++seed);
    check_backward(c, DQW_CUDA_BF16, ++seed);
  }
  // argument checks: Dh > 128, causal offset past the keys, Bk neither 1 nor B
  void* p = (void*)256;
  expect_true("forward rejects Dh=129",
              dqw_cuda_attention_forward(DQW_CUDA_F16, p, p, p, p, nullptr, 1, 1, 1, 1, 1, 129, -1, nullptr) == 1);
  expect_true("forward rejects off+Tq > Tk",
              dqw_cuda_attention_forward(DQW_CUDA_F16, p, p, p, p, nullptr, 1, 1, 2, 4, 1, 64, 3, nullptr) == 1);
  expect_true("forward rejects Bk=2 with B=3",
              dqw_cuda_attention_forward(DQW_CUDA_F16, p, p, p, p, nullptr, 3, 2, 1, 1, 1, 64, -1, nullptr) == 1);
  return report("cuda_attention_test");
}
