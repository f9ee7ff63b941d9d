// Fake quantization against a host reference that repeats the kernel's float operations (so forward,
// dx and the min/max scales must match bit for bit) and sums the LSQ scale / zero-point gradients in
// double. Covers per-tensor (one and many partial blocks), per-channel and per-group 32/64/128 with
// K tails, 2/4/8 bits, symmetric and asymmetric.
#include "test_support.h"

using namespace dqwt;

namespace {

struct Cfg {
  int64_t N, K;
  int gran, group, bits, sym;
  std::string name() const {
    const char* g = gran == DQW_FQ_PER_TENSOR ? "tensor" : gran == DQW_FQ_PER_CHANNEL ? "channel" : "group";
    return std::string(g) + (gran == DQW_FQ_PER_GROUP ? std::to_string(group) : "") + " N=" + std::to_string(N) +
           " K=" + std::to_string(K) + " bits=" + std::to_string(bits) + (sym ? " sym" : " asym");
  }
  int64_t groups_per_row() const { return gran == DQW_FQ_PER_GROUP ? (K + group - 1) / group : 1; }
  int64_t nseg() const { return gran == DQW_FQ_PER_TENSOR ? 1 : gran == DQW_FQ_PER_CHANNEL ? N : N * groups_per_row(); }
  int64_t seg(int64_t n, int64_t k) const {
    return gran == DQW_FQ_PER_TENSOR ? 0 : gran == DQW_FQ_PER_CHANNEL ? n : n * groups_per_row() + k / group;
  }
  float qmax() const { return sym ? (float)((1 << (bits - 1)) - 1) : (float)((1 << bits) - 1); }
  float qmin() const { return sym ? -qmax() : 0.0f; }
};

// volatile temporaries: one IEEE float rounding per operation, as in the kernel
float fq_ref(float x, float s, float z, float qmin, float qmax) {
  volatile float u = x / s;
  volatile float t = std::rint((float)u) + z;
  const float q = std::fmin(std::fmax((float)t, qmin), qmax);
  volatile float d = q - z;
  return s * (float)d;
}

void init_ref(const Cfg& c, const std::vector<float>& x, std::vector<float>& s, std::vector<float>& z) {
  const int64_t ns = c.nseg();
  std::vector<float> lo(ns, INFINITY), hi(ns, -INFINITY), am(ns, 0.0f);
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t k = 0; k < c.K; ++k) {
      const int64_t g = c.seg(n, k);
      const float v = x[n * c.K + k];
      lo[g] = std::fmin(lo[g], v);
      hi[g] = std::fmax(hi[g], v);
      am[g] = std::fmax(am[g], std::fabs(v));
    }
  s.assign(ns, 0.0f);
  z.assign(ns, 0.0f);
  for (int64_t g = 0; g < ns; ++g) {
    if (c.sym) {
      volatile float sc = am[g] / c.qmax();
      s[g] = sc > 0.0f ? (float)sc : 1.0f;
      continue;
    }
    const float l = std::fmin(lo[g], 0.0f), h = std::fmax(hi[g], 0.0f);
    volatile float range = h - l, levels = c.qmax() - c.qmin();
    volatile float sc = (float)range / (float)levels;
    if (!(sc > 0.0f)) {
      s[g] = 1.0f;
      continue;
    }
    s[g] = sc;
    volatile float ratio = l / (float)sc;
    volatile float zz = c.qmin() - (float)ratio;
    z[g] = std::fmin(std::fmax(std::rint((float)zz), c.qmin()), c.qmax());
  }
}

void run(const Cfg& c, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x = rng.floats((size_t)(c.N * c.K), -2.0f, 2.0f);
  if (c.nseg() > 1)
    for (int64_t k = 0; k < std::min<int64_t>(c.K, c.gran == DQW_FQ_PER_GROUP ? c.group : c.K); ++k)
      x[k] = 0.0f;  // segment 0 all zeros: scale 1 (and zero 0)
  const std::string tag = c.name();
  DevBuf<float> dx_in(x), dscale(c.nseg()), dzero(c.nseg());

  // min/max initialisation
  std::vector<float> s_ref, z_ref;
  init_ref(c, x, s_ref, z_ref);
  DQWT_RUN(dqw_cuda_fake_quant_init_scales(dx_in.p, dscale.p, dzero.p, c.N, c.K, c.gran, c.group, c.bits, c.sym,
                                           nullptr));
  expect_equal(tag + " init scale", dscale.download(), s_ref);
  if (!c.sym) expect_equal(tag + " init zero", dzero.download(), z_ref);

  // shrink the scales so that some values clip, and use integral zero points
  std::vector<float> s(c.nseg()), z(c.nseg(), 0.0f);
  for (int64_t g = 0; g < c.nseg(); ++g) {
    s[g] = s_ref[g] * rng.uniform(0.5f, 1.0f);
    if (!c.sym) z[g] = (float)rng.integer((int)c.qmin(), (int)c.qmax());
  }
  dscale.upload(s);
  dzero.upload(z);

  std::vector<float> y_ref(x.size());
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t k = 0; k < c.K; ++k) {
      const int64_t g = c.seg(n, k);
      y_ref[n * c.K + k] = fq_ref(x[n * c.K + k], s[g], c.sym ? 0.0f : z[g], c.qmin(), c.qmax());
    }
  DevBuf<float> dy_out(x.size());
  DQWT_RUN(dqw_cuda_fake_quant_forward(dx_in.p, dy_out.p, dscale.p, dzero.p, c.N, c.K, c.gran, c.group, c.bits, c.sym,
                                       nullptr));
  expect_equal(tag + " forward", dy_out.download(), y_ref);

  // backward
  const std::vector<float> dy = rng.floats(x.size());
  const float grad_scale = 0.37f;
  std::vector<float> dx_ref(x.size());
  std::vector<double> ds_ref(c.nseg(), 0.0), dz_ref(c.nseg(), 0.0), ds_mag(c.nseg(), 0.0), dz_mag(c.nseg(), 0.0);
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t k = 0; k < c.K; ++k) {
      const int64_t i = n * c.K + k, g = c.seg(n, k);
      const float zz = c.sym ? 0.0f : z[g];
      volatile float u = x[i] / s[g];
      volatile float v = (float)u + zz;
      float ts, tz = 0.0f;
      if (v < c.qmin()) {
        dx_ref[i] = 0.0f;
        ts = dy[i] * (c.qmin() - zz);
        tz = dy[i] * -s[g];
      } else if (v > c.qmax()) {
        dx_ref[i] = 0.0f;
        ts = dy[i] * (c.qmax() - zz);
        tz = dy[i] * -s[g];
      } else {
        dx_ref[i] = dy[i];
        volatile float r = std::rint((float)v) - (float)v;
        ts = dy[i] * (float)r;
      }
      ds_ref[g] += ts;
      dz_ref[g] += tz;
      ds_mag[g] += std::fabs(ts);
      dz_mag[g] += std::fabs(tz);
    }
  for (int64_t g = 0; g < c.nseg(); ++g) {
    ds_ref[g] *= grad_scale;
    dz_ref[g] *= grad_scale;
    // float sums (per-thread runs, then shuffle / block trees): 1e-5 of sum |terms| bounds them
    ds_mag[g] = 1e-5 * ds_mag[g] * grad_scale + 1e-12;
    dz_mag[g] = 1e-5 * dz_mag[g] * grad_scale + 1e-12;
  }
  DevBuf<float> d_dy(dy), d_dx(x.size()), d_ds(c.nseg()), d_dz(c.nseg()), work(DQW_CUDA_FQ_WORK_FLOATS);
  DQWT_RUN(dqw_cuda_fake_quant_backward(dx_in.p, d_dy.p, dscale.p, dzero.p, d_dx.p, d_ds.p, c.sym ? nullptr : d_dz.p,
                                        work.p, c.N, c.K, c.gran, c.group, c.bits, c.sym, grad_scale, nullptr));
  expect_equal(tag + " backward dx", d_dx.download(), dx_ref);
  expect_within(tag + " backward dscale", d_ds.download(), ds_ref, ds_mag);
  if (!c.sym) expect_within(tag + " backward dzero", d_dz.download(), dz_ref, dz_mag);
}

}  // namespace

int main() {
  if (!device_available()) return 0;
  uint64_t seed = 77;
  const int64_t shapes[][2] = {{1, 1}, {3, 100}, {7, 130}, {2, 200}};
  for (const auto& sh : shapes)
    for (int bits : {2, 4, 8})
      for (int sym : {1, 0}) {
        run({sh[0], sh[1], DQW_FQ_PER_TENSOR, 0, bits, sym}, ++seed);
        run({sh[0], sh[1], DQW_FQ_PER_CHANNEL, 0, bits, sym}, ++seed);
        for (int g : {32, 64, 128}) run({sh[0], sh[1], DQW_FQ_PER_GROUP, g, bits, sym}, ++seed);
      }
  run({64, 4096, DQW_FQ_PER_TENSOR, 0, 8, 1}, ++seed);  // 64 partial blocks in the per-tensor reduction
  run({64, 4096, DQW_FQ_PER_TENSOR, 0, 3, 0}, ++seed);
  run({5, 5120, DQW_FQ_PER_CHANNEL, 0, 4, 1}, ++seed);
  // the float4 per-group backward: several segments per warp, a short last group (772 = 12*64 + 4) and a
  // segment count that leaves the last warp partly empty
  for (int g : {32, 64, 128})
    for (int sym : {1, 0}) run({33, 772, DQW_FQ_PER_GROUP, g, 4, sym}, ++seed);
  void* p = (void*)256;
  expect_true("rejects bits=9", dqw_cuda_fake_quant_forward((float*)p, (float*)p, (float*)p, (float*)p, 1, 1,
                                                            DQW_FQ_PER_TENSOR, 0, 9, 1, nullptr) == 1);
  expect_true("rejects group=48", dqw_cuda_fake_quant_forward((float*)p, (float*)p, (float*)p, (float*)p, 1, 1,
                                                              DQW_FQ_PER_GROUP, 48, 8, 1, nullptr) == 1);
  expect_true("per-tensor backward needs work", dqw_cuda_fake_quant_backward(
      (float*)p, (float*)p, (float*)p, nullptr, (float*)p, (float*)p, nullptr, nullptr, 1, 1, DQW_FQ_PER_TENSOR, 0, 8, 1,
      1.0f, nullptr) == 1);
  return report("cuda_fake_quant_test");
}
