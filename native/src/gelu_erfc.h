// Internal: the constants of the vectorizable exact-erf GELU used by the INT8 GEMM epilogue (every
// INT8 path, bit for bit) and by the FP32 GEMM's AVX-512 epilogue. Constants only: each ISA file
// writes its own code (no inline code may be shared between ISA files, see cmake/DqwIsa.cmake).
#pragma once

namespace dqw {

// GELU epilogue numerics, shared by every path so they all give identical results. With a = |x|,
// m = (0 > x ? 0 : x) (x itself for NaN and -0) and E(a) = erfc(a/sqrt2)/2 = Phi(-a):
//   GELU(x) = fma(-a, E, m)   (x - a E for x >= 0, -a E = x Phi(x) for x < 0; never cancels, one rounding)
// E comes from one of two evaluations:
//  * table, a <= kGeluTableA = 6.5 (no exp, no division): interval k = rint(a (lam a + mu)) in [0, 15]
//    (s = fma(a, fma(a, lam, mu), 1.5*2^23): k is the low 4 bits of s; width ~0.8 near 0, ~0.2 at
//    6.5, so that E's Gaussian decay is equally resolved in every interval), t = a - kGeluTableCenter[k]
//    (exact: Sterbenz; center 0 for k = 0), E = P7_k(t) by Horner (7 FMAs), coefficients
//    kGeluTablePoly[j][k]. Fitted for minimax relative error with float coefficients over each
//    interval widened by 2e-6 relative (the index rounding); measured 1.3e-7 relative in float.
//  * tail, -12.374369 <= x < -6.5 (a vector takes this branch only if one of its lanes needs it):
//      n = max(rint(-x^2/2 log2 e), -115);  r = -x^2/2 - n*ln2hi - n*ln2lo  (n*ln2hi is exact: 16-bit
//      ln2hi; the first step is one fused op on the exact x^2/2, so no x^2 rounding error remains);
//      exp(-x^2/2) = 2^n P6(r);  erfcx(a/sqrt2)/2 = P10(u)/2 (halved coefficients), u = (a - 3 sqrt2)/
//      (a + 3 sqrt2) (a fit over a/sqrt2 in [0, 9.3], rel. error 3e-8);  E = 2^n P6(r) * P10(u)/2.
//    Past 8.75 sqrt2 = 12.374369 E is taken as 0 (|GELU| < 2.3e-34 there).
// Every other lane (a > 6.5 with x > 0, x < -12.374369, +-inf, NaN) returns m: x for x > 6.5 (GELU
// rounds to x from 5.42 on) and +inf, +0 for x < -12.374369 and -inf, NaN for NaN.
// Measured max error over all floats (stride sweep): see the tests; < 4e-7 relative. No step makes a
// subnormal float for |x| >= 1e-19 (subnormal arithmetic is ~100x slower on x86): the table
// coefficients and products stay above 1e-37, in the tail n >= -115 and E is cut before e * q could
// underflow. Scaling by 2^n is exact (the value stays normal), so AVX-512's vscalefps and the
// exponent-bits product of the other paths agree, and so do the halved / doubled forms of the
// tail's polynomials. Only explicit FMAs are fused (the INT8 sources are compiled with
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

constexpr float kGeluTableA = 6.5f;            // table range: a <= 6.5
constexpr float kGeluTableLam = 0x1.3771p-2f;   // interval index k = rint(a (lam a + mu)); 15.45 at 6.5
constexpr float kGeluTableMu = 0x1.99999ap-2f;  // 0.4
constexpr float kGeluTableCenter[16] = {
    0.0f, 0x1.389016p0f, 0x1.f8a09cp0f, 0x1.453b8cp1f,
    0x1.82ba24p1f, 0x1.b8f8cp1f, 0x1.ea11c4p1f, 0x1.0ba1b6p2f,
    0x1.20ae6ap2f, 0x1.3476f6p2f, 0x1.472fcap2f, 0x1.59008ap2f,
    0x1.6a0808p2f, 0x1.7a5ecep2f, 0x1.8a18ccp2f, 0x1.98e86cp2f};
constexpr float kGeluTablePoly[8][16] = {
    {  // c0
        0x1p-1f, 0x1.c6df3ep-4f, 0x1.8ef53ep-6f, 0x1.6a5426p-8f,
        0x1.49e438p-10f, 0x1.2b4c6cp-12f, 0x1.0e31f8p-14f, 0x1.e554eap-17f,
        0x1.b1baacp-19f, 0x1.81d2dp-21f, 0x1.55be66p-23f, 0x1.2d81fp-25f,
        0x1.090aep-27f, 0x1.d06954p-30f, 0x1.959b52p-32f, 0x1.6ebbd8p-34f},
    {  // c1
        -0x1.98846p-2f, -0x1.83bc38p-3f, -0x1.d452cp-5f, -0x1.03112cp-6f,
        -0x1.10667ap-8f, -0x1.14d314p-10f, -0x1.126b76p-12f, -0x1.0ae196p-14f,
        -0x1.ff35b4p-17f, -0x1.e37832p-19f, -0x1.c4664ep-21f, -0x1.a37c2ap-23f,
        -0x1.81e4f6p-25f, -0x1.6086cp-27f, -0x1.400d28p-29f, -0x1.2bc056p-31f},
    {  // c2
        0x1.84ce9ap-18f, 0x1.d967b4p-4f, 0x1.cd9416p-5f, 0x1.49214cp-6f,
        0x1.9b80bap-8f, 0x1.dcd80cp-10f, 0x1.06aa62p-11f, 0x1.170202p-13f,
        0x1.203c6cp-15f, 0x1.2346a4p-17f, 0x1.211994p-19f, 0x1.1aa9a2p-21f,
        0x1.10dcf2p-23f, 0x1.0484dep-25f, 0x1.ecb334p-28f, 0x1.decae6p-30f},
    {  // c3
        0x1.1019bap-4f, -0x1.fb60fp-7f, -0x1.c276aap-6f, -0x1.d72ba6p-7f,
        -0x1.7106f6p-8f, -0x1.f574c8p-10f, -0x1.385a1p-11f, -0x1.6eac7cp-13f,
        -0x1.9c13fep-15f, -0x1.bfd09ep-17f, -0x1.d9cdap-19f, -0x1.ea6e6cp-21f,
        -0x1.f26c68p-23f, -0x1.f2b68cp-25f, -0x1.ec518ap-27f, -0x1.f15cfap-29f},
    {  // c4
        0x1.2f93c2p-12f, -0x1.dc6374p-7f, 0x1.10b6ep-8f, 0x1.7b05a4p-8f,
        0x1.a43fbcp-9f, 0x1.60588p-10f, 0x1.fe609cp-12f, 0x1.50c5b6p-13f,
        0x1.a09ae2p-15f, 0x1.eb06e6p-17f, 0x1.16abf4p-18f, 0x1.32e478p-20f,
        0x1.49ac4p-22f, 0x1.5aca1cp-24f, 0x1.66679cp-26f, 0x1.7933bp-28f},
    {  // c5
        -0x1.5f1de2p-7f, 0x1.8096b8p-8f, 0x1.44705ep-9f, -0x1.96364ap-11f,
        -0x1.1e08ccp-10f, -0x1.4ea3c4p-11f, -0x1.290c08p-12f, -0x1.c5183ap-14f,
        -0x1.39db54p-15f, -0x1.9640bep-17f, -0x1.f2f37cp-19f, -0x1.263dbp-20f,
        -0x1.4fc618p-22f, -0x1.7481c2p-24f, -0x1.94a2f8p-26f, -0x1.bc5c52p-28f},
    {  // c6
        0x1.0668e4p-10f, 0x1.8d898cp-11f, -0x1.68be0cp-10f, -0x1.b85b3ep-12f,
        0x1.0798ep-13f, 0x1.91b836p-13f, 0x1.e76f36p-14f, 0x1.cb337ep-15f,
        0x1.6c9d34p-16f, 0x1.06b276p-17f, 0x1.61cbccp-19f, 0x1.c33978p-21f,
        0x1.134b62p-22f, 0x1.4567d6p-24f, 0x1.72fca2p-26f, 0x1.add046p-28f},
    {  // c7
        0x1.34357p-11f, -0x1.a16d7ap-11f, 0x1.3a72fcp-13f, 0x1.66107ep-13f,
        0x1.bef436p-15f, -0x1.186e92p-15f, -0x1.023fb6p-15f, -0x1.64aa14p-16f,
        -0x1.505348p-17f, -0x1.02341ep-18f, -0x1.829cdep-20f, -0x1.0b222cp-21f,
        -0x1.5f694ap-23f, -0x1.d445b8p-25f, -0x1.0d0102p-26f, -0x1.6325aap-28f}
};

}  // namespace dqw
