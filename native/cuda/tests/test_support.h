// Support for the standalone CUDA kernel tests (no JVM): device buffers through the library's own
// runtime wrappers, seeded random data, tolerance checks, and a closing "N passed, N failed" line.
// Every test executable exits 0 with "no CUDA device, skipping" where there is no usable device.
#ifndef DQW_CUDA_TEST_SUPPORT_H
#define DQW_CUDA_TEST_SUPPORT_H
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dqw/cuda.h"
#include "dqw/cuda_kernels.h"

namespace dqwt {

inline int g_pass = 0, g_fail = 0;

#define DQWT_OK(call)                                                                                    \
  do {                                                                                                   \
    int32_t e_ = (call);                                                                                 \
    if (e_ != 0) {                                                                                       \
      std::fprintf(stderr, "%s:%d: %s returned %d (%s: %s)\n", __FILE__, __LINE__, #call, (int)e_,      \
                   dqw_cuda_error_name(e_), dqw_cuda_error_string(e_));                                   \
      std::exit(2);                                                                                      \
    }                                                                                                    \
  } while (0)

// Runs a kernel call, then synchronizes so that a fault inside the kernel is reported at this line.
#define DQWT_RUN(call)                 \
  do {                                 \
    DQWT_OK(call);                     \
    DQWT_OK(dqw_cuda_synchronize());   \
  } while (0)

inline bool device_available() {
  int32_t n = 0;
  const int32_t e = dqw_cuda_device_count(&n);
  if (e != 0 || n <= 0) {
    std::printf("no CUDA device, skipping (%s)\n", e != 0 ? dqw_cuda_error_string(e) : "0 devices");
    return false;
  }
  char name[256];
  int32_t major = 0, minor = 0, sms = 0;
  int64_t mem = 0;
  DQWT_OK(dqw_cuda_device_info(0, name, (int32_t)sizeof(name), &major, &minor, &mem, &sms));
  std::printf("device 0: %s, sm_%d%d, %d SMs, %lld MiB\n", name, major, minor, sms, (long long)(mem >> 20));
  return true;
}

template <typename T>
struct DevBuf {
  T* p = nullptr;
  size_t n = 0;
  explicit DevBuf(size_t count) : n(count) {
    void* v = nullptr;
    DQWT_OK(dqw_cuda_malloc(&v, (int64_t)(count * sizeof(T))));
    p = static_cast<T*>(v);
  }
  explicit DevBuf(const std::vector<T>& h) : DevBuf(h.size()) { upload(h); }
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  ~DevBuf() { dqw_cuda_free(p); }
  void upload(const std::vector<T>& h) {
    DQWT_OK(dqw_cuda_memcpy_h2d(p, h.data(), (int64_t)(h.size() * sizeof(T)), nullptr));
    DQWT_OK(dqw_cuda_synchronize());
  }
  std::vector<T> download() const {
    std::vector<T> h(n);
    DQWT_OK(dqw_cuda_memcpy_d2h(h.data(), p, (int64_t)(n * sizeof(T)), nullptr));
    DQWT_OK(dqw_cuda_synchronize());
    return h;
  }
  void fill_bytes(int value) {
    DQWT_OK(dqw_cuda_memset(p, value, (int64_t)(n * sizeof(T)), nullptr));
    DQWT_OK(dqw_cuda_synchronize());
  }
};

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(uint64_t seed) : gen(seed) {}
  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen); }
  int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  std::vector<float> floats(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> v(n);
    for (auto& x : v) x = uniform(lo, hi);
    return v;
  }
  std::vector<int8_t> s8(size_t n, int lo = -128, int hi = 127) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = (int8_t)integer(lo, hi);
    return v;
  }
};

// ---- 16-bit floats on the host (cuda_fp16.h / cuda_bf16.h conversions are host-callable) -------------
inline uint16_t bits_of(__half h) { uint16_t b; std::memcpy(&b, &h, 2); return b; }
inline uint16_t bits_of(__nv_bfloat16 h) { uint16_t b; std::memcpy(&b, &h, 2); return b; }
// Rounds values to the given dtype (in place) and returns the raw 16-bit (or 32-bit) device image.
inline std::vector<uint8_t> encode(std::vector<float>& v, int32_t dtype) {
  std::vector<uint8_t> out(v.size() * (dtype == DQW_CUDA_F32 ? 4 : 2));
  for (size_t i = 0; i < v.size(); ++i) {
    if (dtype == DQW_CUDA_F32) {
      std::memcpy(&out[4 * i], &v[i], 4);
    } else if (dtype == DQW_CUDA_F16) {
      __half h = __float2half_rn(v[i]);
      v[i] = __half2float(h);
      std::memcpy(&out[2 * i], &h, 2);
    } else {
      __nv_bfloat16 h = __float2bfloat16_rn(v[i]);
      v[i] = __bfloat162float(h);
      std::memcpy(&out[2 * i], &h, 2);
    }
  }
  return out;
}
inline std::vector<float> decode(const std::vector<uint8_t>& raw, int32_t dtype) {
  const size_t es = dtype == DQW_CUDA_F32 ? 4 : 2;
  std::vector<float> v(raw.size() / es);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dtype == DQW_CUDA_F32) {
      std::memcpy(&v[i], &raw[4 * i], 4);
    } else if (dtype == DQW_CUDA_F16) {
      __half h;
      std::memcpy(&h, &raw[2 * i], 2);
      v[i] = __half2float(h);
    } else {
      __nv_bfloat16 h;
      std::memcpy(&h, &raw[2 * i], 2);
      v[i] = __bfloat162float(h);
    }
  }
  return v;
}
inline const char* dtype_name(int32_t dt) { return dt == DQW_CUDA_F32 ? "f32" : dt == DQW_CUDA_F16 ? "f16" : "bf16"; }
// unit roundoff of a dtype (half an ulp at 1.0)
inline double unit_roundoff(int32_t dt) { return dt == DQW_CUDA_F32 ? 0x1p-24 : dt == DQW_CUDA_F16 ? 0x1p-11 : 0x1p-8; }

// ---- checks --------------------------------------------------------------------------------------------------
// |got - want| <= atol + rtol * |want| for every element (NaN fails).
template <typename G, typename W>
bool expect_close(const std::string& what, const std::vector<G>& got, const std::vector<W>& want, double atol,
                  double rtol) {
  size_t bad = 0, first = 0;
  double worst = 0.0;
  if (got.size() != want.size()) {
    std::printf("FAIL %s: size %zu != %zu\n", what.c_str(), got.size(), want.size());
    ++g_fail;
    return false;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = (double)got[i], w = (double)want[i];
    const double err = std::fabs(g - w);
    const bool ok = (g == w) || err <= atol + rtol * std::fabs(w);
    if (!ok) {
      if (bad == 0) first = i;
      ++bad;
    }
    if (err > worst && std::isfinite(err)) worst = err;
  }
  if (bad) {
    std::printf("FAIL %s: %zu of %zu elements off (first [%zu]: got %.9g want %.9g; atol %.3g rtol %.3g)\n",
                what.c_str(), bad, got.size(), first, (double)got[first], (double)want[first], atol, rtol);
    ++g_fail;
    return false;
  }
  std::printf("ok   %s (max abs err %.3g)\n", what.c_str(), worst);
  ++g_pass;
  return true;
}

// |got - want| <= tol[i] element by element (NaN fails).
template <typename G>
bool expect_within(const std::string& what, const std::vector<G>& got, const std::vector<double>& want,
                   const std::vector<double>& tol) {
  size_t bad = 0, first = 0;
  double worst_ratio = 0.0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double err = std::fabs((double)got[i] - want[i]);
    const bool ok = (double)got[i] == want[i] || err <= tol[i];
    if (!ok) {
      if (bad == 0) first = i;
      ++bad;
    }
    if (tol[i] > 0 && std::isfinite(err) && err / tol[i] > worst_ratio) worst_ratio = err / tol[i];
  }
  if (bad || got.size() != want.size()) {
    std::printf("FAIL %s: %zu of %zu elements off (first [%zu]: got %.9g want %.9g tol %.3g)\n", what.c_str(), bad,
                got.size(), first, (double)got[first], want[first], tol[first]);
    ++g_fail;
    return false;
  }
  std::printf("ok   %s (worst err/tol %.3f)\n", what.c_str(), worst_ratio);
  ++g_pass;
  return true;
}

template <typename G, typename W>
bool expect_equal(const std::string& what, const std::vector<G>& got, const std::vector<W>& want) {
  return expect_close(what, got, want, 0.0, 0.0);
}

inline void expect_true(const std::string& what, bool cond) {
  std::printf("%s %s\n", cond ? "ok  " : "FAIL", what.c_str());
  cond ? ++g_pass : ++g_fail;
}

inline int report(const char* suite) {
  std::printf("%s: %d passed, %d failed\n", suite, g_pass, g_fail);
  return g_fail ? 1 : 0;
}

}  // namespace dqwt
#endif
