#pragma once
// log, log1p, sin, cos and small log-factorials written with IEEE basic
// operations only (+ - * /, comparisons, bit manipulation of the double).
//
// Why: libm on the host and CUDA's libdevice on the GPU round these functions
// differently, so a random draw that goes through them (Box-Muller normals,
// the Poisson sampler) could differ by an ulp between a CPU and a GPU run and,
// through an accept/reject test or a spike threshold, change a spike train.
// Basic operations are correctly rounded on both, so this code gives the same
// bits everywhere, provided the compiler does not contract a*b+c into an FMA:
// builds use -ffp-contract=off (g++) and --fmad=false (nvcc), and no fma()
// is written here. The algorithms and constants are fdlibm's (as in musl):
// every function is within 1 ulp of the exact result.
//
// Device code rules: no std:: calls, no exceptions, no tables in memory;
// constants are constexpr locals or literals.
#include <Kokkos_Core.hpp>

#include <cstdint>

namespace dtb::sim::ieee_math {

namespace detail {

// A union type-pun (defined behaviour in g++ and nvcc, host and device):
// std::bit_cast is C++20 and Kokkos::bit_cast needs Kokkos >= 4.0, while
// Debian ships Kokkos 3.4.
union DoubleBits {
    double value;
    std::uint64_t bits;
};

KOKKOS_INLINE_FUNCTION std::uint64_t to_bits(double x)
{
    DoubleBits u;
    u.value = x;
    return u.bits;
}

KOKKOS_INLINE_FUNCTION double from_bits(std::uint64_t bits)
{
    DoubleBits u;
    u.bits = bits;
    return u.value;
}

/// High 32 bits of the representation: sign, exponent, top 20 bits of
/// the significand (fdlibm's thresholds are written against these).
KOKKOS_INLINE_FUNCTION std::uint32_t high_word(double x)
{
    return static_cast<std::uint32_t>(to_bits(x) >> 32);
}

KOKKOS_INLINE_FUNCTION double quiet_nan() { return from_bits(0x7ff8000000000000ull); }

KOKKOS_INLINE_FUNCTION double minus_infinity() { return from_bits(0xfff0000000000000ull); }

/// fdlibm's rational approximation R(s) of log(1+f) = 2s + s*R(s),
/// s = f/(2+f), for 1+f in [sqrt(2)/2, sqrt(2)] (|error| < 2^-58.45).
KOKKOS_INLINE_FUNCTION double log_kernel_r(double s)
{
    constexpr double lg1 = 0x1.5555555555593p-1; // 6.666666666666735130e-01
    constexpr double lg2 = 0x1.999999997fa04p-2; // 3.999999999940941908e-01
    constexpr double lg3 = 0x1.2492494229359p-2; // 2.857142874366239149e-01
    constexpr double lg4 = 0x1.c71c51d8e78afp-3; // 2.222219843214978396e-01
    constexpr double lg5 = 0x1.7466496cb03dep-3; // 1.818357216161805012e-01
    constexpr double lg6 = 0x1.39a09d078c69fp-3; // 1.531383769920937332e-01
    constexpr double lg7 = 0x1.2f112df3e5244p-3; // 1.479819860511658591e-01
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (lg2 + w * (lg4 + w * lg6));
    const double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    return t2 + t1;
}

// log(2) in two parts: ln2_hi has its low 32 bits zero, so k * ln2_hi is
// exact for every exponent k.
constexpr double ln2_hi = 0x1.62e42feep-1; // 6.93147180369123816490e-01
constexpr double ln2_lo = 0x1.a39ef35793c76p-33; // 1.90821492927058770002e-10

/// fdlibm __kernel_sin: sin(x + y) for |x| <= pi/4, y the tail of x
/// (|y| < ulp(x) / 2); has_tail = false means y is 0.
KOKKOS_INLINE_FUNCTION double sin_kernel(double x, double y, bool has_tail)
{
    constexpr double s1 = -0x1.5555555555549p-3; // -1.66666666666666324348e-01
    constexpr double s2 = 0x1.111111110f8a6p-7; // 8.33333333332248946124e-03
    constexpr double s3 = -0x1.a01a019c161d5p-13; // -1.98412698298579493134e-04
    constexpr double s4 = 0x1.71de357b1fe7dp-19; // 2.75573137070700676789e-06
    constexpr double s5 = -0x1.ae5e68a2b9cebp-26; // -2.50507602534068634195e-08
    constexpr double s6 = 0x1.5d93a5acfd57cp-33; // 1.58969099521155010221e-10
    const double z = x * x;
    const double w = z * z;
    const double r = s2 + z * (s3 + z * s4) + z * w * (s5 + z * s6);
    const double v = z * x;
    if (!has_tail)
        return x + v * (s1 + z * r);
    return x - ((z * (0.5 * y - v * r) - y) - v * s1);
}

/// fdlibm __kernel_cos (musl's form): cos(x + y) for |x| <= pi/4.
KOKKOS_INLINE_FUNCTION double cos_kernel(double x, double y)
{
    constexpr double c1 = 0x1.555555555554cp-5; // 4.16666666666666019037e-02
    constexpr double c2 = -0x1.6c16c16c15177p-10; // -1.38888888888741095749e-03
    constexpr double c3 = 0x1.a01a019cb159p-16; // 2.48015872894767294178e-05
    constexpr double c4 = -0x1.27e4f809c52adp-22; // -2.75573143513906633035e-07
    constexpr double c5 = 0x1.1ee9ebdb4b1c4p-29; // 2.08757232129817482790e-09
    constexpr double c6 = -0x1.8fae9be8838d4p-37; // -1.13596475577881948265e-11
    const double z = x * x;
    double w = z * z;
    const double r = z * (c1 + z * (c2 + z * c3)) + w * w * (c4 + z * (c5 + z * c6));
    const double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/// Reduces finite x with |x| > pi/4 to y0 + y1 in [-pi/4, pi/4] (about),
/// x = n * pi/2 + y0 + y1, and returns n mod 4. This is fdlibm's medium
/// case (Cody-Waite with pi/2 in three 33-bit parts plus tails, each
/// further part used only when cancellation needs it): exact enough for
/// 1-ulp results while n * pio2_1 is exact, i.e. |x| < 2^20 * pi/2
/// (~1.6e6). Up to 2^40 (~1.1e12) the same steps run with a rounded
/// n * pio2_1, so the reduced argument, and the result, carry an absolute
/// error of up to about |x| * 2^-52 (~2.4e-4 at 2^40). Beyond 2^40 one ulp
/// of x is 2^-12 or more and the phase is meaningless without a
/// Payne-Hanek reduction: y0 = y1 = NaN, so sin and cos return NaN
/// rather than a plausible wrong value.
KOKKOS_INLINE_FUNCTION int reduce_pio2(double x, double& y0, double& y1)
{
    constexpr double to_int = 0x1.8p52; // adding and subtracting it rounds to an integer
    constexpr double inv_pio2 = 0x1.45f306dc9c883p-1; // 6.36619772367581382433e-01
    constexpr double pio2_1 = 0x1.921fb544p+0; // 1.57079632673412561417e+00, 33 bits
    constexpr double pio2_1t = 0x1.0b4611a626331p-34; // 6.07710050650619224932e-11
    constexpr double pio2_2 = 0x1.0b4611a6p-34; // 6.07710050630396597660e-11, 33 bits
    constexpr double pio2_2t = 0x1.3198a2e037073p-69; // 2.02226624879595063154e-21
    constexpr double pio2_3 = 0x1.3198a2ep-69; // 2.02226624871116645580e-21, 33 bits
    constexpr double pio2_3t = 0x1.b839a252049c1p-104; // 8.47842766036889956997e-32

    const std::uint32_t ix = high_word(x) & 0x7fffffffu;
    if (ix >= 0x42700000u) { // |x| >= 2^40
        y0 = quiet_nan();
        y1 = y0;
        return 0;
    }
    // Nearest integer to x * 2/pi (|x * 2/pi| < 2^51, so the sum's ulp
    // is 1 and the subtraction is exact).
    const double fn = (x * inv_pio2 + to_int) - to_int;
    const int n = static_cast<int>(static_cast<std::int64_t>(fn) & 3);
    double r = x - fn * pio2_1;
    double w = fn * pio2_1t; // first round: good to 85 bits
    y0 = r - w;
    const int ex = static_cast<int>(ix >> 20);
    int ey = static_cast<int>((high_word(y0) >> 20) & 0x7ffu);
    if (ex - ey > 16) { // second round: good to 118 bits
        double t = r;
        w = fn * pio2_2;
        r = t - w;
        w = fn * pio2_2t - ((t - r) - w);
        y0 = r - w;
        ey = static_cast<int>((high_word(y0) >> 20) & 0x7ffu);
        if (ex - ey > 49) { // third round: good to 151 bits, covers all cases
            t = r;
            w = fn * pio2_3;
            r = t - w;
            w = fn * pio2_3t - ((t - r) - w);
            y0 = r - w;
        }
    }
    y1 = (r - y0) - w;
    return n;
}

// |x| below this (2^-27 * sqrt(2)) has sin x == x and cos x == 1 after
// rounding; taken early so that sin(-0) is -0 and subnormals are quick.
constexpr std::uint32_t trig_tiny_high = 0x3e46a09eu;
// |x| at or below this (~pi/4) needs no reduction.
constexpr std::uint32_t trig_pio4_high = 0x3fe921fbu;
constexpr std::uint32_t non_finite_high = 0x7ff00000u;

} // namespace detail

/// Natural logarithm: NaN for x < 0 or NaN, -inf for +-0, +inf for +inf.
/// fdlibm e_log.c: x = 2^k (1+f) with 1+f in [sqrt(2)/2, sqrt(2)),
/// log(1+f) = f - f^2/2 + s (f^2/2 + R(s)), s = f / (2+f).
KOKKOS_INLINE_FUNCTION double log(double x)
{
    std::uint64_t bits = detail::to_bits(x);
    std::uint32_t hx = static_cast<std::uint32_t>(bits >> 32);
    int k = 0;
    if (hx < 0x00100000u || (hx >> 31) != 0) {
        if ((bits << 1) == 0) // +-0
            return detail::minus_infinity();
        if ((hx >> 31) != 0) // negative or negative NaN
            return detail::quiet_nan();
        // Subnormal: scale into the normal range.
        k -= 54;
        x *= 0x1p54;
        bits = detail::to_bits(x);
        hx = static_cast<std::uint32_t>(bits >> 32);
    } else if (hx >= 0x7ff00000u) { // +inf or NaN
        return x + x;
    } else if (hx == 0x3ff00000u && (bits << 32) == 0) {
        return 0.0;
    }
    // Reduce x into [sqrt(2)/2, sqrt(2)): move the exponent into k.
    hx += 0x3ff00000u - 0x3fe6a09eu;
    k += static_cast<int>(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    x = detail::from_bits((static_cast<std::uint64_t>(hx) << 32) | (bits & 0xffffffffull));

    const double f = x - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double r = detail::log_kernel_r(s);
    const double dk = k;
    return s * (hfsq + r) + dk * detail::ln2_lo - hfsq + f + dk * detail::ln2_hi;
}

/// log(1 + x), accurate for small |x|: NaN for x < -1 or NaN, -inf at -1,
/// +inf for +inf. fdlibm s_log1p.c (musl's form): 1 + x is reduced as in
/// log(), with a correction term c ~ log(1+x) - log(fl(1+x)).
KOKKOS_INLINE_FUNCTION double log1p(double x)
{
    const std::uint32_t hx = detail::high_word(x);
    int k = 1;
    double f = 0.0;
    double c = 0.0;
    if (hx < 0x3fda827au || (hx >> 31) != 0) { // 1 + x < sqrt(2)
        if (hx >= 0xbff00000u) { // x <= -1 (or negative NaN)
            if (x == -1.0)
                return detail::minus_infinity();
            return detail::quiet_nan();
        }
        if ((hx << 1) < (0x3ca00000u << 1)) // |x| < 2^-53: log1p(x) rounds to x
            return x;
        if (hx <= 0xbfd2bec4u) { // sqrt(2)/2 <= 1 + x < sqrt(2): no reduction
            k = 0;
            f = x;
        }
    } else if (hx >= 0x7ff00000u) { // +inf or NaN
        return x + x;
    }
    if (k != 0) {
        const double u = 1.0 + x;
        const std::uint64_t ubits = detail::to_bits(u);
        std::uint32_t hu = static_cast<std::uint32_t>(ubits >> 32);
        hu += 0x3ff00000u - 0x3fe6a09eu;
        k = static_cast<int>(hu >> 20) - 0x3ff;
        // Correction for the rounding of 1 + x (negligible, and its
        // division could underflow, once k >= 54).
        if (k < 54) {
            c = k >= 2 ? 1.0 - (u - x) : x - (u - 1.0);
            c /= u;
        }
        hu = (hu & 0x000fffffu) + 0x3fe6a09eu;
        f = detail::from_bits((static_cast<std::uint64_t>(hu) << 32) | (ubits & 0xffffffffull))
            - 1.0;
    }
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double r = detail::log_kernel_r(s);
    const double dk = k;
    return s * (hfsq + r) + (dk * detail::ln2_lo + c) - hfsq + f + dk * detail::ln2_hi;
}

/// sin and cos of x together (one reduction). Within 1 ulp for
/// |x| < 2^20 * pi/2 (~1.6e6); less accurate up to 2^40 and NaN beyond (see
/// detail::reduce_pio2); NaN for NaN and +-inf. Gives bitwise the values of
/// sin(x) and cos(x).
KOKKOS_INLINE_FUNCTION void sincos(double x, double& sin_x, double& cos_x)
{
    const std::uint32_t ix = detail::high_word(x) & 0x7fffffffu;
    if (ix <= detail::trig_pio4_high) {
        if (ix < detail::trig_tiny_high) {
            sin_x = x;
            cos_x = 1.0;
            return;
        }
        sin_x = detail::sin_kernel(x, 0.0, false);
        cos_x = detail::cos_kernel(x, 0.0);
        return;
    }
    if (ix >= detail::non_finite_high) {
        sin_x = x - x;
        cos_x = sin_x;
        return;
    }
    double y0, y1;
    const int n = detail::reduce_pio2(x, y0, y1);
    const double s = detail::sin_kernel(y0, y1, true);
    const double c = detail::cos_kernel(y0, y1);
    switch (n) {
    case 0:
        sin_x = s;
        cos_x = c;
        break;
    case 1:
        sin_x = c;
        cos_x = -s;
        break;
    case 2:
        sin_x = -s;
        cos_x = -c;
        break;
    default:
        sin_x = -c;
        cos_x = s;
        break;
    }
}

/// sin x; same range and accuracy as sincos().
KOKKOS_INLINE_FUNCTION double sin(double x)
{
    const std::uint32_t ix = detail::high_word(x) & 0x7fffffffu;
    if (ix <= detail::trig_pio4_high) {
        if (ix < detail::trig_tiny_high)
            return x;
        return detail::sin_kernel(x, 0.0, false);
    }
    if (ix >= detail::non_finite_high)
        return x - x;
    double y0, y1;
    switch (detail::reduce_pio2(x, y0, y1)) {
    case 0: return detail::sin_kernel(y0, y1, true);
    case 1: return detail::cos_kernel(y0, y1);
    case 2: return -detail::sin_kernel(y0, y1, true);
    default: return -detail::cos_kernel(y0, y1);
    }
}

/// cos x; same range and accuracy as sincos().
KOKKOS_INLINE_FUNCTION double cos(double x)
{
    const std::uint32_t ix = detail::high_word(x) & 0x7fffffffu;
    if (ix <= detail::trig_pio4_high) {
        if (ix < detail::trig_tiny_high)
            return 1.0;
        return detail::cos_kernel(x, 0.0);
    }
    if (ix >= detail::non_finite_high)
        return x - x;
    double y0, y1;
    switch (detail::reduce_pio2(x, y0, y1)) {
    case 0: return detail::cos_kernel(y0, y1);
    case 1: return -detail::sin_kernel(y0, y1, true);
    case 2: return -detail::cos_kernel(y0, y1);
    default: return detail::sin_kernel(y0, y1, true);
    }
}

/// log(k!) correctly rounded, for 0 <= k < 16 (NaN otherwise): the Poisson
/// sampler's pmf below the range of its Stirling series. Values computed
/// with mpmath at 300 bits and rounded to nearest.
KOKKOS_INLINE_FUNCTION double log_factorial_small(int k)
{
    switch (k) {
    case 0: return 0.0;
    case 1: return 0.0;
    case 2: return 0x1.62e42fefa39efp-1;
    case 3: return 0x1.cab0bfa2a2002p+0;
    case 4: return 0x1.96ca77c922cf9p+1;
    case 5: return 0x1.326643c4479c9p+2;
    case 6: return 0x1.a51273acf01cap+2;
    case 7: return 0x1.10ce1f32dcc30p+3;
    case 8: return 0x1.5358e82fcb70dp+3;
    case 9: return 0x1.99a8921a7f7cfp+3;
    case 10: return 0x1.e357590954d15p+3;
    case 11: return 0x1.180973f3a8d74p+4;
    case 12: return 0x1.3fcba16d50143p+4;
    case 13: return 0x1.68d5a9c3b32cep+4;
    case 14: return 0x1.930f3df162a42p+4;
    case 15: return 0x1.be636a63fd346p+4;
    default: return detail::quiet_nan();
    }
}

} // namespace dtb::sim::ieee_math
