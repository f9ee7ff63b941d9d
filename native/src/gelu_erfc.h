// Internal: the constants of the vectorizable exact-erf GELU used by the INT8 GEMM epilogue (every
// INT8 path, bit for bit) and by the FP32 GEMM's AVX-512 epilogue. Constants only: each ISA file
// writes its own code (no inline code may be shared between ISA files, see cmake/DqwIsa.cmake).
#pragma once

namespace dqw {

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

}  // namespace dqw
