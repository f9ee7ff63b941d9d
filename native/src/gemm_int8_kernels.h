// Internal: the pieces each ISA file (gemm_int8.cpp scalar, gemm_int8_avx2.cpp, gemm_int8_avx512.cpp)
// provides to the INT8 GEMM driver in gemm_int8.cpp. Declarations and plain structs only: no inline
// code may be shared between ISA files (see cmake/DqwIsa.cmake).
//
// Packed weights (one layout for every path): a 64-byte header, then ceil(n/32) panels of 32 output
// columns; a panel is [quads = ceil(k/4)][32 columns][4 consecutive k] bytes = quads * 128 bytes,
// each byte w + 128 as u8 (so VNNI's u8 x s8 vpdpbusd takes the weights as the unsigned operand and
// the activations, broadcast from memory, as the signed one). Padding columns and k positions hold
// 128 (weight 0). Sum over k of (w + 128) * a = acc + 128 * rowsum(a): the paths that use the
// biased bytes subtract 128 * rowsum(a) per row; the scalar path undoes the bias per byte.
#pragma once
#include <cstdint>

#include "gelu_erfc.h"

namespace dqw {
namespace int8 {

constexpr int kPanelCols = 32;
constexpr int kQuadBytes = kPanelCols * 4;  // one k-quad of a panel: 128 bytes
constexpr int kHeaderBytes = 64;
constexpr uint32_t kPackMagic = 0x38575144u;  // "DQW8" little-endian
constexpr uint32_t kPackVersion = 1;

struct PackHeader {  // first 64 bytes of a pack
  uint32_t magic;
  uint32_t version;
  int32_t n, k;
  int32_t quads, panels;
  uint8_t reserved[kHeaderBytes - 24];
};
static_assert(sizeof(PackHeader) == kHeaderBytes, "pack header must be 64 bytes");

// A decoded, validated pack.
struct Pack {
  int32_t n, k, quads, panels;
  const uint8_t* data;  // panel p starts at data + p * quads * kQuadBytes
};

// What to do with a finished accumulator tile.
struct Epilogue {
  int32_t* c;  // s32 output (c != nullptr) ...
  int64_t ldc;
  float* y;  // ... or f32 output
  int64_t ldy;
  const float* a_scale;  // [M]
  const float* w_scale;  // [N]
  const float* bias;     // [N] or nullptr
  bool gelu;
};

// One tile job: rows [row, row + m) of A (a points at row `row`), their row sums, output columns
// [n0, n1) with n0 a multiple of kPanelCols and n1 <= pack.n.
struct Tile {
  const int8_t* a;
  int64_t lda;
  const int32_t* rowsum;  // m entries: sum of a over k for each row
  int32_t m;
  int64_t row;
  int32_t n0, n1;
  // optional hint: bytes [pf, pf + pf_bytes) will be read next (the fused Linear's next F32 rows);
  // a path may prefetch them while it computes this tile. Never read as data.
  const char* pf = nullptr;
  int64_t pf_bytes = 0;
};

// Per-ISA entry points.
struct Kernels {
  int mr;  // rows of the register-blocked micro-kernel (tile heights are best as multiples)
  void (*tile)(const Pack& pack, const Tile& tile, const Epilogue& epi);
  // rows of x [m, k] -> q, scale, and rowsum (sum of q per row; may be nullptr)
  void (*quantize)(const float* x, int64_t ldx, int32_t m, int32_t k, int8_t* q, int64_t ldq, float* scale,
                   int32_t* rowsum);
  void (*rowsum)(const int8_t* a, int64_t lda, int32_t m, int32_t k, int32_t* out);
  void (*gelu)(const float* x, float* y, int64_t n);
};

// GELU epilogue numerics: gelu_erfc.h (shared by every path so they all give identical results).

const Kernels& kernels_scalar();
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();

}  // namespace int8
}  // namespace dqw
