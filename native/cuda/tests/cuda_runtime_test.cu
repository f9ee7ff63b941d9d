// The runtime wrappers of dqw/cuda.h: memory, copies on streams, memset, events, pinned memory, errors.
#include "test_support.h"

using namespace dqwt;

int main() {
  if (!device_available()) return 0;
  int32_t dev = -1;
  DQWT_OK(dqw_cuda_set_device(0));
  DQWT_OK(dqw_cuda_get_device(&dev));
  expect_true("current device is 0", dev == 0);
  int64_t free_b = 0, total_b = 0;
  DQWT_OK(dqw_cuda_mem_get_info(&free_b, &total_b));
  expect_true("mem info: 0 < free <= total", free_b > 0 && free_b <= total_b);

  void* zero = (void*)1;
  expect_true("malloc(0) gives NULL and success", dqw_cuda_malloc(&zero, 0) == 0 && zero == nullptr);
  void* bad = (void*)1;
  expect_true("malloc(-1) is rejected", dqw_cuda_malloc(&bad, -1) == 1 && bad == nullptr);
  expect_true("free(NULL) is fine", dqw_cuda_free(nullptr) == 0);

  const int64_t n = 1 << 20;
  void* stream = nullptr;
  DQWT_OK(dqw_cuda_stream_create(&stream));
  void *pinned = nullptr, *back = nullptr, *d1 = nullptr, *d2 = nullptr, *e0 = nullptr, *e1 = nullptr;
  DQWT_OK(dqw_cuda_malloc_host(&pinned, n * 4));
  DQWT_OK(dqw_cuda_malloc_host(&back, n * 4));
  DQWT_OK(dqw_cuda_malloc(&d1, n * 4));
  DQWT_OK(dqw_cuda_malloc(&d2, n * 4));
  DQWT_OK(dqw_cuda_event_create(&e0));
  DQWT_OK(dqw_cuda_event_create(&e1));
  expect_true("device allocations are 256-byte aligned", ((uintptr_t)d1 & 255u) == 0 && ((uintptr_t)d2 & 255u) == 0);
  float* h = static_cast<float*>(pinned);
  for (int64_t i = 0; i < n; ++i) h[i] = (float)i * 0.5f - 7.0f;
  DQWT_OK(dqw_cuda_event_record(e0, stream));
  DQWT_OK(dqw_cuda_memcpy_h2d(d1, pinned, n * 4, stream));
  DQWT_OK(dqw_cuda_memcpy_d2d(d2, d1, n * 4, stream));
  DQWT_OK(dqw_cuda_memset(d1, 0, n * 4, stream));
  DQWT_OK(dqw_cuda_memcpy_d2h(back, d2, n * 4, stream));
  DQWT_OK(dqw_cuda_event_record(e1, stream));
  DQWT_OK(dqw_cuda_stream_synchronize(stream));
  DQWT_OK(dqw_cuda_event_synchronize(e1));
  float ms = -1.0f;
  DQWT_OK(dqw_cuda_event_elapsed_ms(&ms, e0, e1));
  expect_true("event elapsed time is >= 0", ms >= 0.0f);
  bool same = true;
  const float* b = static_cast<const float*>(back);
  for (int64_t i = 0; i < n; ++i) same = same && b[i] == h[i];
  expect_true("h2d -> d2d -> d2h round trip on a stream", same);
  DQWT_OK(dqw_cuda_memcpy_d2h(back, d1, n * 4, stream));
  DQWT_OK(dqw_cuda_stream_synchronize(stream));
  bool zeros = true;
  for (int64_t i = 0; i < n; ++i) zeros = zeros && b[i] == 0.0f;
  expect_true("memset zeroes the buffer", zeros);
  {  // memset of a byte pattern through a non-multiple-of-4 size
    DevBuf<uint8_t> small(13);
    small.fill_bytes(0xab);
    expect_equal("memset 13 bytes to 0xab", small.download(), std::vector<uint8_t>(13, 0xab));
  }
  expect_true("negative copy size is rejected", dqw_cuda_memcpy_h2d(d1, pinned, -4, stream) == 1);
  expect_true("a kernel with bad arguments reports cudaErrorInvalidValue",
              dqw_cuda_gelu_forward(nullptr, nullptr, 5, stream) == 1);
  expect_true("last error is clear afterwards", dqw_cuda_get_last_error() == 0);
  DQWT_OK(dqw_cuda_event_destroy(e0));
  DQWT_OK(dqw_cuda_event_destroy(e1));
  DQWT_OK(dqw_cuda_free(d1));
  DQWT_OK(dqw_cuda_free(d2));
  DQWT_OK(dqw_cuda_free_host(pinned));
  DQWT_OK(dqw_cuda_free_host(back));
  DQWT_OK(dqw_cuda_stream_destroy(stream));
  expect_true("error names come from the runtime", std::string(dqw_cuda_error_name(1)) == "cudaErrorInvalidValue");
  return report("cuda_runtime_test");
}
