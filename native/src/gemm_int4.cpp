// INT4 GEMM: C ABI, argument checks, packing, ISA dispatch and the threaded tile driver. The per-ISA
// kernels live in gemm_int4_scalar.cpp, gemm_int4_avx2.cpp and gemm_int4_avx512.cpp; activations are
// quantized by the INT8 GEMM's dqw_quantize_rows_s8 (the same per-row convention).
#include "dqw/gemm_int4.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "dqw/cpu.h"
#include "dqw/gemm_int8.h"
#include "gemm_int4_kernels.h"
#include "parallel.h"

namespace dqw {
namespace int4 {
namespace {

const Kernels& active_kernels() {
  switch (dqw::active_isa()) {
    case DQW_ISA_AVX512: return kernels_avx512();
    case DQW_ISA_AVX2: return kernels_avx2();
    default: return kernels_scalar();
  }
}

int32_t quads_of(int32_t k) { return (k + 3) / 4; }
int32_t panels_of(int32_t n) { return (n + kPanelCols - 1) / kPanelCols; }

// The effective group (one group of k when group >= k), or 0 when the group is invalid.
int32_t effective_group(int32_t k, int32_t group) {
  if (group >= k) return k;
  return group >= 4 && group % 4 == 0 ? group : 0;
}

bool shape_ok(int32_t n, int32_t k, int32_t group) {
  return n >= 1 && k >= 1 && k <= DQW_INT4_MAX_K && effective_group(k, group) > 0;
}

PackHeader header_of(int32_t n, int32_t k, int32_t group) {
  PackHeader h{};
  h.magic = kPackMagic;
  h.version = kPackVersion;
  h.n = n;
  h.k = k;
  h.group = effective_group(k, group);
  h.groups = (k + h.group - 1) / h.group;
  h.quads = quads_of(k);
  h.panels = panels_of(n);
  h.group_quads = h.groups == 1 ? h.quads : h.group / 4;
  return h;
}

int64_t data_bytes(const PackHeader& h) { return (int64_t)h.panels * h.quads * kQuadBytes; }
int64_t scale_bytes(const PackHeader& h) { return (int64_t)h.panels * h.groups * kPanelCols * 4; }

bool decode(const void* packed, int32_t n, int32_t k, Pack* out) {
  PackHeader h;
  std::memcpy(&h, packed, sizeof h);
  if (h.magic != kPackMagic || h.version != kPackVersion || h.n != n || h.k != k || h.group < 1 ||
      effective_group(k, h.group) != h.group)
    return false;
  const PackHeader want = header_of(n, k, h.group);
  if (want.group != h.group || want.groups != h.groups || want.quads != h.quads || want.panels != h.panels ||
      want.group_quads != h.group_quads)
    return false;
  const uint8_t* data = static_cast<const uint8_t*>(packed) + kHeaderBytes;
  *out = Pack{n, k, h.group, h.groups, h.quads, h.panels, h.group_quads, data,
              reinterpret_cast<const float*>(data + data_bytes(h))};
  return true;
}

// Tasks: blocks of up to kBlockRows rows (whole micro-kernel row groups) x runs of whole panels,
// the panels split only when there are too few row blocks to feed the threads. K is never split,
// so the partition cannot change any result.
constexpr int32_t kBlockRows = 64;

void run(const Kernels& kern, const Pack& pk, const int8_t* a, int64_t lda, int32_t m, const Epilogue& epi) {
  const int64_t threads = std::max(1, (int)dqw_get_num_threads());
  const int64_t mblocks = (m + kBlockRows - 1) / kBlockRows;
  int64_t nblocks = 1;
  if (mblocks < 2 * threads) nblocks = std::min<int64_t>(pk.panels, (2 * threads + mblocks - 1) / mblocks);
  dqw::parallel_for(mblocks * nblocks, [&](int64_t t0, int64_t t1) {
    std::vector<int32_t> rowsum;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i = t / nblocks, j = t % nblocks;
      const int32_t r0 = (int32_t)(i * kBlockRows), r1 = std::min<int32_t>(m, r0 + kBlockRows);
      const int32_t c0 = (int32_t)(pk.panels * j / nblocks) * kPanelCols;
      const int32_t c1 = std::min<int32_t>(pk.n, (int32_t)(pk.panels * (j + 1) / nblocks) * kPanelCols);
      if (c0 >= c1) continue;
      if (kern.needs_rowsums) {
        rowsum.assign((size_t)(r1 - r0) * pk.groups, 0);
        for (int32_t r = r0; r < r1; ++r) {
          const int8_t* ar = a + r * lda;
          int32_t* out = &rowsum[(size_t)(r - r0) * pk.groups];
          for (int32_t g = 0; g < pk.groups; ++g) {
            const int32_t k1 = std::min<int32_t>(pk.k, (g + 1) * pk.group);
            int32_t sum = 0;
            for (int32_t kk = g * pk.group; kk < k1; ++kk) sum += ar[kk];
            out[g] = sum;
          }
        }
      }
      Tile tile{a + r0 * lda, lda, rowsum.data(), r1 - r0, r0, c0, c1};
      kern.tile(pk, tile, epi);
    }
  });
}

}  // namespace
}  // namespace int4
}  // namespace dqw

using namespace dqw::int4;

extern "C" {

DQW_API int64_t dqw_int4_packed_bytes(int32_t n, int32_t k, int32_t group) {
  if (!shape_ok(n, k, group)) return -1;
  const PackHeader h = header_of(n, k, group);
  return kHeaderBytes + data_bytes(h) + scale_bytes(h);
}

DQW_API int32_t dqw_int4_pack(const uint8_t* nibbles, int64_t ldb, const float* scales, int64_t lds, int32_t n,
                              int32_t k, int32_t group, void* packed) {
  if (!nibbles || !scales || !packed || !shape_ok(n, k, group)) return DQW_INT4_BAD_ARGS;
  const PackHeader h = header_of(n, k, group);
  if (ldb < (k + 1) / 2 || lds < h.groups) return DQW_INT4_BAD_ARGS;
  std::memcpy(packed, &h, sizeof h);
  uint8_t* data = static_cast<uint8_t*>(packed) + kHeaderBytes;
  float* sc = reinterpret_cast<float*>(data + data_bytes(h));
  // biased nibble (q + 8) of column col at kk; 8 (weight 0) outside W. A two's-complement nibble s
  // is q + 8 = s ^ 8.
  auto u = [&](int64_t col, int32_t kk) -> uint8_t {
    if (col >= n || kk >= k) return 8;
    const uint8_t byte = nibbles[col * ldb + kk / 2];
    return (uint8_t)(((kk & 1) ? byte >> 4 : byte & 15) ^ 8);
  };
  dqw::parallel_for(h.panels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      uint8_t* dst = data + p * h.quads * kQuadBytes;
      for (int32_t q = 0; q < h.quads; ++q)
        for (int c = 0; c < 16; ++c)
          for (int j = 0; j < 4; ++j)
            dst[(int64_t)q * kQuadBytes + 4 * c + j] =
                (uint8_t)(u(p * kPanelCols + c, 4 * q + j) | (u(p * kPanelCols + 16 + c, 4 * q + j) << 4));
      float* ps = sc + p * h.groups * kPanelCols;
      for (int32_t g = 0; g < h.groups; ++g)
        for (int c = 0; c < kPanelCols; ++c) {
          const int64_t col = p * kPanelCols + c;
          ps[g * kPanelCols + c] = col < n ? scales[col * lds + g] : 0.0f;
        }
    }
  });
  return DQW_INT4_OK;
}

DQW_API int32_t dqw_int4_gemm_group_s32(const int8_t* a, int64_t lda, int32_t m, int32_t k, const void* packed,
                                        int32_t n, int32_t* c) {
  if (m < 0 || n < 1 || k < 1 || k > DQW_INT4_MAX_K || !packed) return DQW_INT4_BAD_ARGS;
  Pack pk;
  if (!decode(packed, n, k, &pk)) return DQW_INT4_BAD_PACK;
  if (m == 0) return DQW_INT4_OK;
  if (!a || !c || lda < k) return DQW_INT4_BAD_ARGS;
  run(active_kernels(), pk, a, lda, m, Epilogue{c, nullptr, 0, nullptr, nullptr, false});
  return DQW_INT4_OK;
}

DQW_API int32_t dqw_int4_gemm_f32(const int8_t* a, int64_t lda, const float* a_scale, int32_t m, int32_t k,
                                  const void* packed, const float* bias, int32_t n, float* y, int64_t ldy,
                                  int32_t flags) {
  if (m < 0 || n < 1 || k < 1 || k > DQW_INT4_MAX_K || !packed) return DQW_INT4_BAD_ARGS;
  Pack pk;
  if (!decode(packed, n, k, &pk)) return DQW_INT4_BAD_PACK;
  if (m == 0) return DQW_INT4_OK;
  const bool use_bias = (flags & DQW_EPI_BIAS) != 0;
  if (!a || !a_scale || !y || (use_bias && !bias) || lda < k || ldy < n) return DQW_INT4_BAD_ARGS;
  run(active_kernels(), pk, a, lda, m,
      Epilogue{nullptr, y, ldy, a_scale, use_bias ? bias : nullptr, (flags & DQW_EPI_GELU) != 0});
  return DQW_INT4_OK;
}

DQW_API int32_t dqw_int4_linear(const float* x, int64_t ldx, int32_t m, int32_t k, const void* packed,
                                const float* bias, int32_t n, float* y, int64_t ldy, int32_t flags, int8_t* work_q,
                                float* work_scale) {
  if (m < 0 || n < 1 || k < 1 || k > DQW_INT4_MAX_K || !packed) return DQW_INT4_BAD_ARGS;
  Pack pk;
  if (!decode(packed, n, k, &pk)) return DQW_INT4_BAD_PACK;
  if (m == 0) return DQW_INT4_OK;
  if (!x || !work_q || !work_scale || ldx < k) return DQW_INT4_BAD_ARGS;
  const int32_t rc = dqw_quantize_rows_s8(x, ldx, m, k, work_q, k, work_scale);
  if (rc != DQW_INT8_OK) return DQW_INT4_BAD_ARGS;
  return dqw_int4_gemm_f32(work_q, k, work_scale, m, k, packed, bias, n, y, ldy, flags);
}

}  // extern "C"
