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

// GELU epilogue numerics, shared by every path so they all give identical results. With ax = |x|,
// xh = x/2, sx = x*x:
//   n = max(rint(-sx/2 log2 e), -115);  r = -xh*x - n*ln2hi - n*ln2lo  (n*ln2hi is exact: 16-bit
//   ln2hi; the first step is one fused op on the exact x^2/2, so no x^2 rounding error remains);
//   exp(-x^2/2) = 2^n P6(r);  erfc(x/sqrt2) = exp(-x^2/2) erfcx(x/sqrt2), erfcx = P10(u),
//   u = (ax - 3 sqrt2)/(ax + 3 sqrt2) (a fit over x/sqrt2 in [0, 9.3], rel. error 3e-8 with float
//   coefficients);  h = xh erfc;  GELU = x >= 0 ? x - h : h  (never cancels).
// erfc is set to 0 for ax > 8.75 sqrt2 (|GELU| < 2.3e-34 there); elsewhere the measured max error
// is 4e-7 relative (6 ulp). No step makes a subnormal float for |x| >= 1e-19 (subnormal arithmetic is ~100x slower on x86): n >= -115 and the tail is cut before
// e * q could underflow. Scaling by 2^n is exact (the value stays normal), so AVX-512's vscalefps and
// the exponent-bits product of the other paths agree. Only explicit FMAs are fused (the INT8 sources
// are compiled with -ffp-contract=off).
constexpr float kGeluAxBig = 12.374369f;        // 8.75 * sqrt 2
constexpr float kGeluMinExp2 = -115.0f;
constexpr float kGeluErfcxK = 4.2426407f;       // 3 * sqrt 2
constexpr float kGeluRoundMagic = 12582912.0f;  // 1.5 * 2^23: (v + magic) - magic = rint(v), |v| < 2^22
constexpr float kGeluNegHalfLog2e = -0x1.715476p-1f;
constexpr float kGeluLn2Hi = 0x1.62e4p-1f;      // ln 2 to 16 bits: n * kGeluLn2Hi is exact
constexpr float kGeluLn2Lo = 0x1.7f7d1cp-20f;   // ln 2 - kGeluLn2Hi
constexpr float kGeluExpPoly[7] = {1.0f, 1.0f, 0x1.fffffap-2f, 0x1.55540ap-3f,
                                   0x1.55589ap-5f, 0x1.126d0cp-7f, 0x1.6ab97ap-10f};  // c0..c6
constexpr float kGeluErfcxPoly[11] = {0x1.6e9828p-3f,  -0x1.4e102cp-2f, 0x1.f6ff20p-3f, -0x1.336fe8p-3f,
                                      0x1.258b00p-4f,  -0x1.8fad0ap-6f, 0x1.17ccdap-8f, 0x1.779118p-11f,
                                      -0x1.3822d2p-11f, 0x1.caf420p-16f, 0x1.cfbf18p-15f};  // c0..c10

const Kernels& kernels_scalar();
const Kernels& kernels_avx2();
const Kernels& kernels_avx512();

}  // namespace int8
}  // namespace dqw
