// LayerNorm, GELU, softmax, embeddings, cross-entropy, KL, AdamW and dtype conversion against double
// references, on rows of length 1, odd lengths, and rows longer than one block (vocabulary-sized).
#include "test_support.h"

using namespace dqwt;

namespace {

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double gelu_grad(double x) {
  return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI);
}
std::vector<double> rel_tol(const std::vector<double>& want, double rel, double abs) {
  std::vector<double> t(want.size());
  for (size_t i = 0; i < want.size(); ++i) t[i] = rel * std::fabs(want[i]) + abs;
  return t;
}

void test_layernorm(int64_t M, int64_t D, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats(M * D, -3.0f, 5.0f), g = rng.floats(D, 0.5f, 1.5f), b = rng.floats(D),
                     dy = rng.floats(M * D), dg0 = rng.floats(D), db0 = rng.floats(D), dx0 = rng.floats(M * D);
  const float eps = 1e-5f;
  std::vector<double> y(M * D), mean(M), rstd(M), dx(M * D), dxa(M * D), dg(dg0.begin(), dg0.end()),
      db(db0.begin(), db0.end());
  for (int64_t m = 0; m < M; ++m) {
    double mu = 0.0, var = 0.0;
    for (int64_t d = 0; d < D; ++d) mu += x[m * D + d];
    mu /= D;
    for (int64_t d = 0; d < D; ++d) var += (x[m * D + d] - mu) * (x[m * D + d] - mu);
    var /= D;
    const double rs = 1.0 / std::sqrt(var + eps);
    mean[m] = mu;
    rstd[m] = rs;
    double sg = 0.0, sgx = 0.0;
    for (int64_t d = 0; d < D; ++d) {
      const double xh = (x[m * D + d] - mu) * rs;
      y[m * D + d] = xh * g[d] + b[d];
      sg += dy[m * D + d] * g[d];
      sgx += dy[m * D + d] * g[d] * xh;
      dg[d] += dy[m * D + d] * xh;
      db[d] += dy[m * D + d];
    }
    for (int64_t d = 0; d < D; ++d) {
      const double xh = (x[m * D + d] - mu) * rs;
      dx[m * D + d] = rs * (dy[m * D + d] * g[d] - sg / D - xh * sgx / D);
      dxa[m * D + d] = dx0[m * D + d] + dx[m * D + d];
    }
  }
  const std::string tag = "layernorm M=" + std::to_string(M) + " D=" + std::to_string(D);
  DevBuf<float> dX(x), dG(g), dB(b), dY(M * D), dMean(M), dRstd(M);
  DQWT_RUN(dqw_cuda_layernorm_forward(dX.p, dG.p, dB.p, dY.p, dMean.p, dRstd.p, M, D, eps, nullptr));
  // float two-pass statistics over <= 1280 values: ~1e-6 relative; y = xhat*g + b with |xhat| <~ 4
  expect_within(tag + " y", dY.download(), y, rel_tol(y, 1e-5, 1e-5));
  expect_within(tag + " mean", dMean.download(), mean, rel_tol(mean, 1e-5, 1e-6));
  expect_within(tag + " rstd", dRstd.download(), rstd, rel_tol(rstd, 1e-5, 0.0));
  // backward from the kernel's own statistics (the reference's agree to ~1e-6)
  DevBuf<float> dDy(dy), dDx(dx0), dDg(dg0), dDb(db0);
  DQWT_RUN(dqw_cuda_layernorm_backward(dDy.p, dX.p, dG.p, dMean.p, dRstd.p, dDx.p, dDg.p, dDb.p, M, D, 1, nullptr));
  expect_within(tag + " dx (accumulate)", dDx.download(), dxa, rel_tol(dxa, 1e-4, 1e-5));
  // parameter gradients sum M rows of float terms: 1e-5 relative + 1e-5 * M absolute
  expect_within(tag + " dgamma", dDg.download(), dg, rel_tol(dg, 1e-5, 1e-5 * M));
  expect_within(tag + " dbeta", dDb.download(), db, rel_tol(db, 1e-5, 1e-5 * M));
  DQWT_RUN(dqw_cuda_layernorm_backward(dDy.p, dX.p, dG.p, dMean.p, dRstd.p, dDy.p, nullptr, nullptr, M, D, 0, nullptr));
  expect_within(tag + " dx in place over dy", dDy.download(), dx, rel_tol(dx, 1e-4, 1e-5));
}

void test_gelu(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats(n, -6.0f, 6.0f), dy = rng.floats(n);
  std::vector<double> y(n), dx(n);
  for (int64_t i = 0; i < n; ++i) {
    y[i] = gelu(x[i]);
    dx[i] = dy[i] * gelu_grad(x[i]);
  }
  DevBuf<float> dX(x), dY(n), dDy(dy), dDx(n);
  DQWT_RUN(dqw_cuda_gelu_forward(dX.p, dY.p, n, nullptr));
  DQWT_RUN(dqw_cuda_gelu_backward(dX.p, dDy.p, dDx.p, n, nullptr));
  // erff / expf are within 2 ulp: 1e-6 relative, 1e-7 absolute near the zero of GELU
  expect_within("gelu n=" + std::to_string(n), dY.download(), y, rel_tol(y, 1e-6, 1e-7));
  expect_within("gelu backward n=" + std::to_string(n), dDx.download(), dx, rel_tol(dx, 1e-6, 1e-7));
}

void test_softmax(int64_t M, int64_t N, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats(M * N, -8.0f, 8.0f), dy = rng.floats(M * N);
  std::vector<double> y(M * N), dx(M * N);
  for (int64_t m = 0; m < M; ++m) {
    double mx = -INFINITY, s = 0.0, dot = 0.0;
    for (int64_t j = 0; j < N; ++j) mx = std::max(mx, (double)x[m * N + j]);
    for (int64_t j = 0; j < N; ++j) s += std::exp(x[m * N + j] - mx);
    for (int64_t j = 0; j < N; ++j) y[m * N + j] = std::exp(x[m * N + j] - mx) / s;
    for (int64_t j = 0; j < N; ++j) dot += dy[m * N + j] * y[m * N + j];
    for (int64_t j = 0; j < N; ++j) dx[m * N + j] = y[m * N + j] * (dy[m * N + j] - dot);
  }
  const std::string tag = "softmax M=" + std::to_string(M) + " N=" + std::to_string(N);
  DevBuf<float> dX(x), dY(M * N), dDy(dy);
  DQWT_RUN(dqw_cuda_softmax_forward(dX.p, dY.p, M, N, nullptr));
  // expf 2 ulp + the row's float sum of up to 51866 positive terms (~200 per thread, then a tree):
  // ~1e-6 typically, 3e-5 leaves room for the sequential part's worst case
  expect_within(tag, dY.download(), y, rel_tol(y, 3e-5, 1e-9));
  DQWT_RUN(dqw_cuda_softmax_backward(dY.p, dDy.p, dDy.p, M, N, nullptr));  // dx written over dy
  expect_within(tag + " backward", dDy.download(), dx, rel_tol(dx, 1e-4, 1e-8));
}

void test_embedding(uint64_t seed) {
  Rng rng(seed);
  const int64_t V = 37, D = 300, N = 50;
  std::vector<float> table = rng.floats(V * D), dout = rng.floats(N * D), dtab0 = rng.floats(V * D);
  std::vector<int32_t> ids(N);
  for (auto& i : ids) i = rng.integer(0, (int)V - 1);
  ids[3] = ids[7] = ids[9] = 5;  // repeated ids are summed in order
  std::vector<float> out(N * D), dtab = dtab0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) {
      out[n * D + d] = table[ids[n] * D + d];
      dtab[ids[n] * D + d] += dout[n * D + d];  // same float additions in the same (n) order as the kernel
    }
  DevBuf<float> dT(table), dO(N * D), dDo(dout), dDt(dtab0);
  DevBuf<int32_t> dI(ids);
  DQWT_RUN(dqw_cuda_embedding_forward(dT.p, dI.p, dO.p, V, D, N, nullptr));
  expect_equal("embedding forward", dO.download(), out);
  DQWT_RUN(dqw_cuda_embedding_backward(dDo.p, dI.p, dDt.p, V, D, N, nullptr));
  expect_equal("embedding backward (bit-exact, n order)", dDt.download(), dtab);
}

void test_cross_entropy(int64_t N, int64_t V, float eps, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats(N * V, -5.0f, 5.0f);
  std::vector<int32_t> t(N);
  for (auto& v : t) v = rng.integer(0, (int)V - 1);
  const int ignore = -100;
  if (N > 1) t[1] = ignore;
  const float scale = 0.25f;
  std::vector<double> loss(N, 0.0), dl(N * V, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    if (t[n] == ignore) continue;
    double mx = -INFINITY, s = 0.0, mean = 0.0;
    for (int64_t j = 0; j < V; ++j) mx = std::max(mx, (double)x[n * V + j]), mean += x[n * V + j];
    mean /= V;
    for (int64_t j = 0; j < V; ++j) s += std::exp(x[n * V + j] - mx);
    const double lse = mx + std::log(s);
    loss[n] = (1 - eps) * (lse - x[n * V + t[n]]) + eps * (lse - mean);
    for (int64_t j = 0; j < V; ++j)
      dl[n * V + j] = scale * (std::exp(x[n * V + j] - lse) - (j == t[n] ? 1 - eps : 0.0) - eps / V);
  }
  const std::string tag = "cross_entropy N=" + std::to_string(N) + " V=" + std::to_string(V);
  DevBuf<float> dX(x), dL(N);
  DevBuf<int32_t> dT(t);
  DQWT_RUN(dqw_cuda_cross_entropy(dX.p, dT.p, dL.p, dX.p, N, V, ignore, eps, scale, nullptr));  // grads in place
  // lse of up to 51866 terms in float: ~1e-6 relative of |lse| <~ 16, so 1e-5 absolute on the loss
  expect_within(tag + " loss", dL.download(), loss, rel_tol(loss, 1e-6, 1e-5));
  expect_within(tag + " dlogits", dX.download(), dl, rel_tol(dl, 1e-4, 1e-8));
}

void test_kl(int64_t N, int64_t V, float T, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> s = rng.floats(N * V, -4.0f, 4.0f), t = rng.floats(N * V, -4.0f, 4.0f);
  std::vector<int32_t> mask(N, 1);
  if (N > 2) mask[2] = 0;
  const float scale = 0.5f;
  std::vector<double> loss(N, 0.0), ds(N * V, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    if (!mask[n]) continue;
    double ms = -INFINITY, mt = -INFINITY, es = 0.0, et = 0.0;
    for (int64_t j = 0; j < V; ++j) ms = std::max(ms, s[n * V + j] / (double)T), mt = std::max(mt, t[n * V + j] / (double)T);
    for (int64_t j = 0; j < V; ++j) es += std::exp(s[n * V + j] / (double)T - ms), et += std::exp(t[n * V + j] / (double)T - mt);
    const double ls = ms + std::log(es), lt = mt + std::log(et);
    double kl = 0.0;
    for (int64_t j = 0; j < V; ++j) {
      const double a = s[n * V + j] / (double)T - ls, b = t[n * V + j] / (double)T - lt;
      kl += std::exp(b) * (b - a);
      ds[n * V + j] = scale * T * (std::exp(a) - std::exp(b));
    }
    loss[n] = (double)T * T * kl;
  }
  const std::string tag = "kl N=" + std::to_string(N) + " V=" + std::to_string(V) + " T=" + std::to_string(T);
  DevBuf<float> dS(s), dT(t), dL(N), dD(N * V);
  DevBuf<int32_t> dM(mask);
  DQWT_RUN(dqw_cuda_kl_divergence(dS.p, dT.p, dM.p, dL.p, dD.p, N, V, T, scale, nullptr));
  // KL is a small difference of float log-probabilities (each ~1e-6 relative of |log p| <~ 20)
  expect_within(tag + " loss", dL.download(), loss, rel_tol(loss, 1e-4, 2e-5 * T * T));
  expect_within(tag + " dstudent", dD.download(), ds, rel_tol(ds, 1e-4, 1e-8));
}

void test_adamw(uint64_t seed) {
  Rng rng(seed);
  const int64_t n = 1001;
  std::vector<float> p = rng.floats(n), g = rng.floats(n, -3.0f, 3.0f), m = rng.floats(n, -0.1f, 0.1f),
                     v = rng.floats(n, 0.0f, 0.01f);
  const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f, gs = 0.5f;
  const int64_t step = 7;
  std::vector<double> pw(n), mw(n), vw(n), tm(n), tp(n);
  const double bc1 = 1.0 - std::pow((double)b1, step), bc2 = 1.0 - std::pow((double)b2, step);
  for (int64_t i = 0; i < n; ++i) {
    const double gg = (double)g[i] * gs;
    double pp = p[i] * (1.0 - (double)lr * wd);
    mw[i] = b1 * (double)m[i] + (1.0 - b1) * gg;
    vw[i] = b2 * (double)v[i] + (1.0 - b2) * gg * gg;
    const double upd = lr * (mw[i] / bc1) / (std::sqrt(vw[i] / bc2) + eps);
    pw[i] = pp - upd;
    // m and p are differences of terms that can nearly cancel: each float rounding (~6e-8) is relative to
    // the terms, not to the small result, so the tolerance is 1e-6 of the terms' sizes
    tm[i] = 1e-6 * (std::fabs(b1 * (double)m[i]) + std::fabs((1.0 - b1) * gg)) + 1e-12;
    tp[i] = 1e-6 * (std::fabs(pp) + std::fabs(upd)) + 1e-12;
  }
  DevBuf<float> dP(p), dG(g), dM(m), dV(v);
  DQWT_RUN(dqw_cuda_adamw_step(dP.p, dG.p, dM.p, dV.p, n, lr, b1, b2, eps, wd, gs, step, nullptr));
  expect_within("adamw m", dM.download(), mw, tm);
  expect_within("adamw v", dV.download(), vw, rel_tol(vw, 1e-6, 1e-12));  // non-negative terms: relative
  expect_within("adamw param", dP.download(), pw, tp);
}

void test_convert(uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats(777, -70000.0f, 70000.0f);
  x[0] = 65520.0f;  // rounds to +inf in f16
  x[1] = 1e-8f;     // f16 subnormal range
  for (int32_t dt : {DQW_CUDA_F16, DQW_CUDA_BF16}) {
    std::vector<float> r = x;
    const std::vector<uint8_t> raw = encode(r, dt);
    DevBuf<float> dx(x);
    DevBuf<uint8_t> dh(raw.size());
    DevBuf<float> back(x.size());
    DQWT_RUN(dqw_cuda_convert(dx.p, DQW_CUDA_F32, dh.p, dt, (int64_t)x.size(), nullptr));
    expect_equal(std::string("convert f32->") + dtype_name(dt), dh.download(), raw);
    DQWT_RUN(dqw_cuda_convert(dh.p, dt, back.p, DQW_CUDA_F32, (int64_t)x.size(), nullptr));
    expect_equal(std::string("convert ") + dtype_name(dt) + "->f32", back.download(), r);
  }
}

}  // namespace

int main() {
  if (!device_available()) return 0;
  uint64_t seed = 500;
  for (auto md : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {17, 512}, {5, 1283}}) test_layernorm(md.first, md.second, ++seed);
  for (int64_t n : {1, 1000, 100003}) test_gelu(n, ++seed);
  for (auto mn : {std::pair<int64_t, int64_t>{1, 1}, {4, 33}, {3, 51866}}) test_softmax(mn.first, mn.second, ++seed);
  test_embedding(++seed);
  test_cross_entropy(1, 1, 0.0f, ++seed);
  test_cross_entropy(5, 300, 0.1f, ++seed);
  test_cross_entropy(3, 51866, 0.0f, ++seed);
  test_kl(1, 1, 1.0f, ++seed);
  test_kl(4, 301, 2.0f, ++seed);
  test_kl(3, 51866, 1.0f, ++seed);
  test_adamw(++seed);
  test_convert(++seed);
  return report("cuda_nn_test");
}
