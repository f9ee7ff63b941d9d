// Internal: the pieces each ISA file (gemm_int4_scalar.cpp, gemm_int4_avx2.cpp, gemm_int4_avx512.cpp)
// provides to the INT4 GEMM driver in gemm_int4.cpp. Declarations and plain structs only: no inline
// code may be shared between ISA files (see cmake/DqwIsa.cmake).
//
// Kernel layout (see gemm_int4.h): panels of 32 output columns; in quad q of a panel, byte 4c + j
// (c in 0..15, j in 0..3) holds u = q + 8 of column c (low nibble) and of column c + 16 (high nibble)
// at k = 4q + j. Group g covers quads [g * group_quads, min(quads, (g+1) * group_quads)).
// With the biased u in [0, 15], sum u * a = acc + 8 * sum a: the VNNI path (u8 x s8) subtracts
// 8 * (row sum of a over the group); the other paths subtract 8 from every nibble.
#pragma once
#include <cstdint>

namespace dqw {
namespace int4 {

constexpr int kPanelCols = 32;
constexpr int kQuadBytes = 64;  // 32 columns x 4 k, two nibbles per byte
constexpr int kHeaderBytes = 64;
constexpr uint32_t kPackMagic = 0x34575144u;  // "DQW4" little-endian
constexpr uint32_t kPackVersion = 1;

struct PackHeader {  // first 64 bytes of a pack
  uint32_t magic, version;
  int32_t n, k, group, groups, quads, panels, group_quads;
  uint8_t reserved[kHeaderBytes - 36];
};
static_assert(sizeof(PackHeader) == kHeaderBytes, "pack header must be 64 bytes");

struct Pack {
  int32_t n, k, group, groups, quads, panels, group_quads;
  const uint8_t* data;   // panel p at data + p * quads * kQuadBytes
  const float* scales;   // panel p at scales + p * groups * kPanelCols, [group][32 columns]
  const uint8_t* panel(int64_t p) const { return data + p * quads * kQuadBytes; }
  const float* panel_scales(int64_t p) const { return scales + p * groups * kPanelCols; }
};

struct Epilogue {
  int32_t* cg;  // per-group s32 output [M][N][G] (cg != nullptr) ...
  float* y;     // ... or the f32 output
  int64_t ldy;
  const float* a_scale;  // [M]
  const float* bias;     // [N] or nullptr
  bool gelu;
};

// Rows [row, row + m) of A (a points at row `row`), output columns [n0, n1) with n0 a multiple of
// kPanelCols; rowsum[r * groups + g] = sum of a over group g (filled only for needs_rowsums paths).
struct Tile {
  const int8_t* a;
  int64_t lda;
  const int32_t* rowsum;
  int32_t m;
  int64_t row;
  int32_t n0, n1;
};

struct Kernels {
  int mr;              // rows of the micro-kernel
  bool needs_rowsums;  // whether Tile::rowsum must be filled
  void (*tile)(const Pack& pack, const Tile& tile, const Epilogue& epi);
  void (*gelu)(const float* x, float* y, int64_t n);  // the INT8 GEMM's GELU of the same path
};

const Kernels& kernels_scalar();
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();

}  // namespace int4
}  // namespace dqw
