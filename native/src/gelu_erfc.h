// Internal: the constants of the vectorizable exact-erf GELU used by the INT8 GEMM epilogue (every
// INT8 path, bit for bit) and by the FP32 GEMM's AVX-512 epilogue. Constants only: each ISA file
// writes its own code (no inline code may be shared between ISA files, see cmake/DqwIsa.cmake).
#pragma once

namespace dqw {

// GELU epilogue numerics, shared by every path so they all give identical results. With a = |x| and
// m = (0 > x ? 0 : x) (x itself for x >= 0, -0 and NaN):
//   GELU(x) = m - F(a),  F(a) = a erfc(a/sqrt2)/2 = a Phi(-a)   (x - x Phi(-x) for x >= 0, x Phi(x) for
//   x < 0; never cancels, one rounding).
// F comes from one of two evaluations:
//  * table, a <= kGeluTableA = 6.1 (no exp, no division): interval k = rint(a (a + 4) / 4) in [0, 15],
//    from s = fma(a, a + 4, 1.5*2^25) (multiples of 4 at that magnitude: k is the low 4 bits of s);
//    widths ~0.7 up to a ~ 2, ~0.2 at 6, so that the Gaussian decay is equally resolved everywhere.
//    t = a - kGeluTableCenter[k] (exact: Sterbenz; center 0 for k = 0), F = P6_k(t) by Horner
//    (6 FMAs; coefficients kGeluTablePoly[j][k], k = 0 has c0 = 0 so that F(a) ~ a/2 keeps full
//    relative precision down to a = 0). Fitted for minimax relative error with float coefficients
//    over each interval widened by 2e-6 relative (the index rounding); 2.6e-7 relative in float.
//  * tail, 6.1 < a <= 12.374369 (a vector takes this branch only if one of its lanes needs it):
//      n = max(rint(-x^2/2 log2 e), -115);  r = -x^2/2 - n*ln2hi - n*ln2lo  (n*ln2hi is exact: 16-bit
//      ln2hi; the first step is one fused op on the exact x^2/2, so no x^2 rounding error remains);
//      exp(-x^2/2) = 2^n P6(r);  erfcx(a/sqrt2)/2 = P10(u)/2 (halved coefficients), u = (a - 3 sqrt2)/
//      (a + 3 sqrt2) (a fit over a/sqrt2 in [0, 9.3], rel. error 3e-8);  E = 2^n P6(r) * P10(u)/2;
//      GELU = fma(-a, E, m) (x for every x > 6.1 after rounding: E < 2^-25 from a = 5.42 on).
// Every other lane (a > 12.374369, +-inf) returns m: x for x > 0, +0 for x < 0 (|GELU| < 2.3e-34);
// NaN goes through the table and stays NaN.
// Measured against long double 0.5 x erfc(-x/sqrt2) on every 7th float bit pattern in [-20, 20]
// (3.1e8 values): max relative error 2.7e-7 for |x| <= 6.1, 3.8e-7 in the tail (x = -11.83), 5e-10
// for x > 6.1; absolute 2.3e-34 where |GELU| < 2.5e-34. No step makes a subnormal float for
// |x| >= 1e-19 (subnormal arithmetic is ~100x slower on x86): every table coefficient is above 6e-9
// in magnitude and |t| >= ulp(a) or t = 0, in the tail n >= -115 and E is cut before e * q could
// underflow, and the vector code evaluates the tail on a = 8 in the lanes that do not need it
// (checked through the MXCSR DE / UE flags in native/tests/gemm_int8_test.cpp). Scaling by 2^n is exact (the value stays normal), so AVX-512's
// vscalefps and the exponent-bits product of the other paths agree, and so do the halved / doubled
// forms of the tail's polynomials. Only explicit FMAs are fused (the INT8 sources are compiled with
// -ffp-contract=off; the FP32 AVX-512 copy contains no multiply feeding an add).
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

constexpr float kGeluTableA = 6.1f;             // table range: a <= 6.1 (k = rint(15.4025) there)
constexpr float kGeluTableShift = 4.0f;          // k = rint(a (a + 4) / 4)
constexpr float kGeluTableMagic = 50331648.0f;   // 1.5 * 2^25: fma(a, a + 4, magic) rounds to a multiple of 4
constexpr int kGeluTableDegree = 6;
constexpr float kGeluTableCenter[16] = {
    0.0f, 0x1.9c9ce2p-1f, 0x1.73b42ep0f, 0x1.fdfd84p0f,
    0x1.3bb736p1f, 0x1.72861ep1f, 0x1.a4e136p1f, 0x1.d3b93p1f,
    0x1.ffb416p1f, 0x1.14a51cp2f, 0x1.286b14p2f, 0x1.3b4f0ap2f,
    0x1.4d6cdap2f, 0x1.5edb14p2f, 0x1.6fac4ap2f, 0x1.7f2b14p2f};
constexpr float kGeluTablePoly[kGeluTableDegree + 1][16] = {
    {  // c0
        0.0f, 0x1.5ad9a6p-3f, 0x1.b3ab06p-4f, 0x1.7a3f2ap-5f,
        0x1.13aadap-6f, 0x1.67f886p-8f, 0x1.b2ad84p-10f, 0x1.ee75e2p-12f,
        0x1.0c229cp-13f, 0x1.17993p-15f, 0x1.1a09cep-17f, 0x1.1480c8p-19f,
        0x1.086ba2p-21f, 0x1.eec1ccp-24f, 0x1.c5e832p-26f, 0x1.b7b0e8p-28f},
    {  // c1
        0x1p-1f, -0x1.6bc2aap-6f, -0x1.0767f8p-3f, -0x1.6094ep-4f,
        -0x1.48fcfp-5f, -0x1.ff270ap-7f, -0x1.60f562p-8f, -0x1.bfe56ep-10f,
        -0x1.0a57ap-11f, -0x1.2cc12ap-13f, -0x1.45661p-15f, -0x1.539754p-17f,
        -0x1.57983ap-19f, -0x1.526402p-21f, -0x1.456eb2p-23f, -0x1.489a08p-25f},
    {  // c2
        -0x1.988418p-2f, -0x1.8ebee2p-3f, 0x1.ecf9p-8f, 0x1.ba3cc8p-5f,
        0x1.3e9beap-5f, 0x1.3be05cp-6f, 0x1.029d1ep-7f, 0x1.7626bcp-9f,
        0x1.ef12c8p-11f, 0x1.31d2e8p-12f, 0x1.65a0d4p-14f, 0x1.8fa852p-16f,
        0x1.add7b6p-18f, 0x1.bf5746p-20f, 0x1.c4642p-22f, 0x1.dd5ce6p-24f},
    {  // c3
        -0x1.a599f2p-16f, 0x1.09aa7p-3f, 0x1.04bde4p-4f, 0x1.2caddp-11f,
        -0x1.0b534ep-6f, -0x1.a27b8cp-7f, -0x1.b63d7ep-8f, -0x1.77716p-9f,
        -0x1.1aabfp-10f, -0x1.83d0f4p-12f, -0x1.ef536cp-14f, -0x1.2aacaep-15f,
        -0x1.5781e4p-17f, -0x1.7b8bdp-19f, -0x1.9528f2p-21f, -0x1.c02378p-23f},
    {  // c4
        0x1.114a76p-4f, -0x1.831728p-10f, -0x1.2b7e64p-5f, -0x1.2c8afep-6f,
        -0x1.47ac5ep-10f, 0x1.00c69p-8f, 0x1.ba12p-9f, 0x1.e7d758p-10f,
        0x1.b370d2p-11f, 0x1.53a47p-12f, 0x1.e131a2p-14f, 0x1.3c878cp-15f,
        0x1.8869bap-17f, 0x1.cf2d18p-19f, 0x1.063a8ep-20f, 0x1.311ab2p-22f},
    {  // c5
        -0x1.d2885ep-11f, -0x1.5cc8bcp-6f, 0x1.15db26p-10f, 0x1.23d86cp-7f,
        0x1.31d5f2p-8f, 0x1.3ac19ap-11f, -0x1.951128p-11f, -0x1.8b8afep-11f,
        -0x1.cd58f6p-12f, -0x1.ad001ap-13f, -0x1.5a6546p-14f, -0x1.fa11bap-16f,
        -0x1.5665d6p-17f, -0x1.b3cda4p-19f, -0x1.07979p-20f, -0x1.438766p-22f},
    {  // c6
        -0x1.1b5b12p-7f, 0x1.ad5a3ep-9f, 0x1.56cc28p-8f, -0x1.c59c7ap-12f,
        -0x1.ffe3p-10f, -0x1.119a58p-10f, -0x1.42a7aep-13f, 0x1.1b554ep-13f,
        0x1.2e6dacp-13f, 0x1.780fdap-14f, 0x1.68a1cp-15f, 0x1.2b301p-16f,
        0x1.bf9926p-18f, 0x1.357dc6p-19f, 0x1.91cd24p-21f, 0x1.06cff2p-22f}
};

}  // namespace dqw
