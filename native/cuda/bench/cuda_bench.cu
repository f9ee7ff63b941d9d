// CUDA micro-benchmark: times the dq-whisper kernels with cudaEvents and prints one JSON object on
// stdout (progress on stderr). Whisper shapes: M = 1500 encoder frames, widths of base (512, MLP 2048)
// and small (768, MLP 3072); attention at T = 1500, Dh = 64; fake-quant bandwidth on weight-sized
// matrices. With cuBLASLt in the toolkit (DQW_HAVE_CUBLASLT) the GEMMs get a vendor baseline, and the
// results of both are compared (INT8 exactly). Every GEMM is timed with the autotuned configuration
// (int8_ms, fp16_ms, int8_s32_ms, with the chosen *_config) and with each configuration forced
// (*_config_ms maps); *_vs_cublaslt = cuBLASLt time / our autotuned time (>= 1: we are faster).
// `cuda_bench --gemm-only` skips the attention and fake-quant parts.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <cuda_fp16.h>

#include "dqw/cuda.h"
#include "dqw/cuda_gemm_config.h"
#include "dqw/cuda_kernels.h"
#ifdef DQW_HAVE_CUBLASLT
#include "cublaslt_baseline.h"
#endif

#define BENCH_OK(call)                                                                                  \
  do {                                                                                                  \
    int32_t e_ = (call);                                                                                \
    if (e_ != 0) {                                                                                      \
      std::fprintf(stderr, "%s:%d: %s -> %s\n", __FILE__, __LINE__, #call, dqw_cuda_error_string(e_));  \
      std::exit(2);                                                                                     \
    }                                                                                                   \
  } while (0)

namespace {

void* g_stream = nullptr;
void *g_e0 = nullptr, *g_e1 = nullptr;

struct Dev {
  void* p = nullptr;
  explicit Dev(size_t bytes) { BENCH_OK(dqw_cuda_malloc(&p, (int64_t)bytes)); }
  ~Dev() { dqw_cuda_free(p); }
  template <typename T> T* as() const { return static_cast<T*>(p); }
};

template <typename T>
void upload(const Dev& d, const std::vector<T>& h) {
  BENCH_OK(dqw_cuda_memcpy_h2d(d.p, h.data(), (int64_t)(h.size() * sizeof(T)), g_stream));
  BENCH_OK(dqw_cuda_stream_synchronize(g_stream));
}
template <typename T>
std::vector<T> download(const Dev& d, size_t n) {
  std::vector<T> h(n);
  BENCH_OK(dqw_cuda_memcpy_d2h(h.data(), d.p, (int64_t)(n * sizeof(T)), g_stream));
  BENCH_OK(dqw_cuda_stream_synchronize(g_stream));
  return h;
}

// Mean milliseconds per call: 2 warm-up calls, then enough calls for ~40 ms (3..500), timed with events.
template <typename F>
double time_ms(F&& launch) {
  launch();
  launch();
  BENCH_OK(dqw_cuda_event_record(g_e0, g_stream));
  launch();
  BENCH_OK(dqw_cuda_event_record(g_e1, g_stream));
  BENCH_OK(dqw_cuda_event_synchronize(g_e1));
  float once = 0.0f;
  BENCH_OK(dqw_cuda_event_elapsed_ms(&once, g_e0, g_e1));
  const int iters = std::max(3, std::min(500, (int)std::ceil(40.0 / std::max(once, 1e-3f))));
  BENCH_OK(dqw_cuda_event_record(g_e0, g_stream));
  for (int i = 0; i < iters; ++i) launch();
  BENCH_OK(dqw_cuda_event_record(g_e1, g_stream));
  BENCH_OK(dqw_cuda_event_synchronize(g_e1));
  float total = 0.0f;
  BENCH_OK(dqw_cuda_event_elapsed_ms(&total, g_e0, g_e1));
  return total / iters;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::mt19937 g_rng(1234);
std::vector<int8_t> random_s8(size_t n) {
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = (int8_t)d(g_rng);
  return v;
}
std::vector<__half> random_f16(size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<__half> v(n);
  for (auto& x : v) x = __float2half_rn(d(g_rng));
  return v;
}

struct GemmShape {
  const char* model;
  const char* layer;
  int m, n, k;
};

// Times run() (returns a cudaError_t) with each GEMM configuration forced:
// ",\"<key>\":{\"128x128\":0.0123,...}"; null for a configuration this device cannot launch.
template <typename F>
std::string time_configs(const char* key, F&& run) {
  std::string j = std::string(",\"") + key + "\":{";
  for (int i = 0; i < dqw_cuda_gemm_config_count(); ++i) {
    BENCH_OK(dqw_cuda_gemm_force_config(dqw_cuda_gemm_config_name(i)));
    j += std::string(i ? "," : "") + "\"" + dqw_cuda_gemm_config_name(i) + "\":";
    const int32_t e = run();
    if (e != 0 || dqw_cuda_stream_synchronize(g_stream) != 0) {
      std::fprintf(stderr, "config %s: %s\n", dqw_cuda_gemm_config_name(i), dqw_cuda_error_string(e));
      dqw_cuda_get_last_error();
      j += "null";
      continue;
    }
    j += num(time_ms([&] { BENCH_OK(run()); }));
  }
  BENCH_OK(dqw_cuda_gemm_force_config(nullptr));
  return j + "}";
}

std::string bench_gemm(const GemmShape& s) {
  std::fprintf(stderr, "gemm %s %s %dx%dx%d\n", s.model, s.layer, s.m, s.n, s.k);
  const double flop = 2.0 * s.m * s.n * s.k;
  Dev a8((size_t)s.m * s.k), w8((size_t)s.n * s.k), as(4 * (size_t)s.m), ws(4 * (size_t)s.n), yf(4 * (size_t)s.m * s.n),
      c32(4 * (size_t)s.m * s.n), ah(2 * (size_t)s.m * s.k), wh(2 * (size_t)s.n * s.k), yh(2 * (size_t)s.m * s.n);
  upload(a8, random_s8((size_t)s.m * s.k));
  upload(w8, random_s8((size_t)s.n * s.k));
  upload(as, std::vector<float>(s.m, 0.01f));
  upload(ws, std::vector<float>(s.n, 0.01f));
  upload(ah, random_f16((size_t)s.m * s.k));
  upload(wh, random_f16((size_t)s.n * s.k));
  auto run_int8 = [&] {
    return dqw_cuda_gemm_s8_f32(a8.as<int8_t>(), s.k, as.as<float>(), w8.as<int8_t>(), s.k, ws.as<float>(), nullptr,
                                yf.as<float>(), s.n, s.m, s.n, s.k, 0, g_stream);
  };
  auto run_s32 = [&] {
    return dqw_cuda_gemm_s8_s32(a8.as<int8_t>(), s.k, w8.as<int8_t>(), s.k, c32.as<int32_t>(), s.n, s.m, s.n, s.k,
                                g_stream);
  };
  auto run_fp16 = [&] {
    return dqw_cuda_gemm_half(DQW_CUDA_F16, ah.p, s.k, wh.p, s.k, nullptr, yh.p, s.n, DQW_CUDA_F16, s.m, s.n, s.k, 0,
                              g_stream);
  };
  BENCH_OK(dqw_cuda_gemm_force_config(nullptr));  // autotuned (the first call of each tunes)
  const double t_int8 = time_ms([&] { BENCH_OK(run_int8()); });
  const std::string cfg_int8 = dqw_cuda_gemm_last_config();
  const double t_s32 = time_ms([&] { BENCH_OK(run_s32()); });
  const std::string cfg_s32 = dqw_cuda_gemm_last_config();
  const double t_fp16 = time_ms([&] { BENCH_OK(run_fp16()); });
  const std::string cfg_fp16 = dqw_cuda_gemm_last_config();
  std::string j = std::string("{\"model\":\"") + s.model + "\",\"layer\":\"" + s.layer + "\",\"m\":" +
                  std::to_string(s.m) + ",\"n\":" + std::to_string(s.n) + ",\"k\":" + std::to_string(s.k) +
                  ",\"int8_ms\":" + num(t_int8) + ",\"int8_tops\":" + num(flop / t_int8 * 1e-9) +
                  ",\"int8_config\":\"" + cfg_int8 + "\",\"int8_s32_ms\":" + num(t_s32) +
                  ",\"int8_s32_config\":\"" + cfg_s32 + "\"" +
                  ",\"fp16_ms\":" + num(t_fp16) + ",\"fp16_tflops\":" + num(flop / t_fp16 * 1e-9) +
                  ",\"fp16_config\":\"" + cfg_fp16 + "\"";
  j += time_configs("int8_config_ms", run_int8);
  j += time_configs("int8_s32_config_ms", run_s32);
  j += time_configs("fp16_config_ms", run_fp16);
#ifdef DQW_HAVE_CUBLASLT
  const size_t wsb = 32u << 20;
  Dev workspace(wsb), c32lt(4 * (size_t)s.m * s.n), yhlt(2 * (size_t)s.m * s.n);
  if (LtPlan* p = lt_plan_create(true, s.m, s.n, s.k, wsb)) {
    const double t = time_ms([&] {
      if (!lt_plan_run(p, a8.p, w8.p, c32lt.p, workspace.p, g_stream)) std::exit(3);
    });
    BENCH_OK(run_s32());  // autotuned configuration
    const bool same = download<int32_t>(c32, (size_t)s.m * s.n) == download<int32_t>(c32lt, (size_t)s.m * s.n);
    j += ",\"cublaslt_int8_s32_ms\":" + num(t) + ",\"cublaslt_int8_tops\":" + num(flop / t * 1e-9) +
         ",\"int8_matches_cublaslt\":" + (same ? "true" : "false") +
         ",\"int8_s32_vs_cublaslt\":" + num(t / t_s32) + ",\"int8_vs_cublaslt\":" + num(t / t_int8);
    lt_plan_destroy(p);
  } else {
    j += ",\"cublaslt_int8_s32_ms\":null";
  }
  if (LtPlan* p = lt_plan_create(false, s.m, s.n, s.k, wsb)) {
    const double t = time_ms([&] {
      if (!lt_plan_run(p, ah.p, wh.p, yhlt.p, workspace.p, g_stream)) std::exit(3);
    });
    BENCH_OK(run_fp16());  // autotuned configuration
    const std::vector<__half> ours = download<__half>(yh, (size_t)s.m * s.n), theirs = download<__half>(yhlt, (size_t)s.m * s.n);
    double worst = 0.0;
    for (size_t i = 0; i < ours.size(); ++i)
      worst = std::max(worst, (double)std::fabs(__half2float(ours[i]) - __half2float(theirs[i])));
    j += ",\"cublaslt_fp16_ms\":" + num(t) + ",\"cublaslt_fp16_tflops\":" + num(flop / t * 1e-9) +
         ",\"fp16_max_abs_diff_vs_cublaslt\":" + num(worst) + ",\"fp16_vs_cublaslt\":" + num(t / t_fp16);
    lt_plan_destroy(p);
  } else {
    j += ",\"cublaslt_fp16_ms\":null";
  }
#endif
  return j + "}";
}

std::string bench_attention(int heads) {
  const int B = 1, T = 1500, D = 64;
  std::fprintf(stderr, "attention T=%d H=%d D=%d\n", T, heads, D);
  const size_t n = (size_t)B * T * heads * D;
  Dev q(2 * n), k(2 * n), v(2 * n), o_fused(2 * n), o_naive(2 * n), o_gen(2 * n), lse(4 * (size_t)B * heads * T),
      scores(4 * (size_t)B * heads * T * T);
  upload(q, random_f16(n, -2.0f, 2.0f));
  upload(k, random_f16(n));
  upload(v, random_f16(n));
  const double t_fused = time_ms([&] {
    BENCH_OK(dqw_cuda_attention_forward(DQW_CUDA_F16, q.p, k.p, v.p, o_fused.p, lse.as<float>(), B, B, T, T, heads, D,
                                        -1, g_stream));
  });
  const double t_naive = time_ms([&] {
    BENCH_OK(dqw_cuda_attention_naive(DQW_CUDA_F16, q.p, k.p, v.p, o_naive.p, lse.as<float>(), scores.as<float>(), B,
                                      B, T, T, heads, D, -1, g_stream));
  });
  const double t_generic = time_ms([&] {
    BENCH_OK(dqw_cuda_attention_forward_generic(DQW_CUDA_F16, q.p, k.p, v.p, o_gen.p, lse.as<float>(), B, B, T, T,
                                                heads, D, -1, g_stream));
  });
  const double t_causal = time_ms([&] {
    BENCH_OK(dqw_cuda_attention_forward(DQW_CUDA_F16, q.p, k.p, v.p, o_gen.p, lse.as<float>(), B, B, T, T, heads, D, 0,
                                        g_stream));
  });
  const std::vector<__half> a = download<__half>(o_fused, n), b = download<__half>(o_naive, n);
  double worst = 0.0;
  for (size_t i = 0; i < n; ++i) worst = std::max(worst, (double)std::fabs(__half2float(a[i]) - __half2float(b[i])));
  const double flop = 4.0 * B * heads * (double)T * T * D;
  return "{\"b\":1,\"t\":1500,\"heads\":" + std::to_string(heads) + ",\"head_dim\":64,\"fused_ms\":" + num(t_fused) +
         ",\"fused_tflops\":" + num(flop / t_fused * 1e-9) + ",\"naive_ms\":" + num(t_naive) +
         ",\"generic_ms\":" + num(t_generic) + ",\"fused_causal_ms\":" + num(t_causal) +
         ",\"speedup_fused_vs_naive\":" + num(t_naive / t_fused) + ",\"max_abs_diff_fused_vs_naive\":" + num(worst) + "}";
}

std::string bench_fake_quant(int N, int K) {
  std::fprintf(stderr, "fake quant %dx%d\n", N, K);
  const size_t n = (size_t)N * K;
  const int groups = (K + 63) / 64;
  Dev x(4 * n), y(4 * n), dy(4 * n), dx(4 * n), scale(4 * (size_t)N * groups), zero(4 * (size_t)N * groups),
      dscale(4 * (size_t)N * groups), work(4 * DQW_CUDA_FQ_WORK_FLOATS);
  std::vector<float> h(n);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (auto& e : h) e = d(g_rng);
  upload(x, h);
  upload(dy, h);
  std::string j = "{\"n\":" + std::to_string(N) + ",\"k\":" + std::to_string(K);
  const struct {
    const char* name;
    int gran, group;
  } modes[] = {{"per_tensor", DQW_FQ_PER_TENSOR, 0}, {"per_channel", DQW_FQ_PER_CHANNEL, 0},
               {"per_group64", DQW_FQ_PER_GROUP, 64}};
  for (const auto& m : modes) {
    BENCH_OK(dqw_cuda_fake_quant_init_scales(x.as<float>(), scale.as<float>(), zero.as<float>(), N, K, m.gran, m.group,
                                             4, 1, g_stream));
    const double tf = time_ms([&] {
      BENCH_OK(dqw_cuda_fake_quant_forward(x.as<float>(), y.as<float>(), scale.as<float>(), zero.as<float>(), N, K,
                                           m.gran, m.group, 4, 1, g_stream));
    });
    const double tb = time_ms([&] {
      BENCH_OK(dqw_cuda_fake_quant_backward(x.as<float>(), dy.as<float>(), scale.as<float>(), zero.as<float>(),
                                            dx.as<float>(), dscale.as<float>(), nullptr, work.as<float>(), N, K, m.gran,
                                            m.group, 4, 1, 1.0f, g_stream));
    });
    // forward moves x in and y out (8 bytes / element); backward x, dy in and dx out (12)
    j += std::string(",\"") + m.name + "_forward_gbps\":" + num(8.0 * n / tf * 1e-6) + ",\"" + m.name +
         "_backward_gbps\":" + num(12.0 * n / tb * 1e-6);
  }
  return j + "}";
}

}  // namespace

int main(int argc, char** argv) {
  const bool gemm_only = argc > 1 && std::strcmp(argv[1], "--gemm-only") == 0;
  int32_t count = 0;
  const int32_t err = dqw_cuda_device_count(&count);
  if (err != 0 || count <= 0) {
    std::printf("{\"device\":null,\"skipped\":\"no CUDA device: %s\"}\n", err ? dqw_cuda_error_string(err) : "0 devices");
    return 0;
  }
  char name[256] = {0};
  int32_t major = 0, minor = 0, sms = 0;
  int64_t mem = 0;
  BENCH_OK(dqw_cuda_device_info(0, name, 256, &major, &minor, &mem, &sms));
  BENCH_OK(dqw_cuda_stream_create(&g_stream));
  BENCH_OK(dqw_cuda_event_create(&g_e0));
  BENCH_OK(dqw_cuda_event_create(&g_e1));
  std::string out = std::string("{\"device\":{\"name\":\"") + name + "\",\"sm\":" + std::to_string(major * 10 + minor) +
                    ",\"sms\":" + std::to_string(sms) + "},\"cublaslt\":" +
#ifdef DQW_HAVE_CUBLASLT
                    "true"
#else
                    "false"
#endif
                    + ",\"gemm\":[";
  const GemmShape shapes[] = {
      {"base", "attn_proj", 1500, 512, 512},  {"base", "mlp_fc1", 1500, 2048, 512},
      {"base", "mlp_fc2", 1500, 512, 2048},   {"small", "attn_proj", 1500, 768, 768},
      {"small", "mlp_fc1", 1500, 3072, 768},  {"small", "mlp_fc2", 1500, 768, 3072},
  };
  bool first = true;
  for (const auto& s : shapes) {
    out += (first ? "" : ",") + bench_gemm(s);
    first = false;
  }
  out += "]";
  if (!gemm_only) {
    out += ",\"attention\":[" + bench_attention(8) + "," + bench_attention(12) + "]";
    out += ",\"fake_quant\":[" + bench_fake_quant(3072, 768) + "," + bench_fake_quant(4096, 4096) + "]";
  }
  out += "}";
  std::printf("%s\n", out.c_str());
  dqw_cuda_event_destroy(g_e0);
  dqw_cuda_event_destroy(g_e1);
  dqw_cuda_stream_destroy(g_stream);
  return 0;
}
