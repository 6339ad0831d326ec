// Tests of sim/ieee_math.hpp: accuracy against glibc (integer ulp distance)
// and, where long double is wider than double, against a long double
// reference (fractional ulps); special values; the log-factorial table; and
// kernel-versus-host bitwise equality on the default execution space.
//
// Inputs come from a fixed splitmix64 stream, so a build passes or fails
// deterministically.
#include "sim/ieee_math.hpp"

#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

namespace {

namespace ieee_math = dtb::sim::ieee_math;

constexpr double kPi = 3.141592653589793;

std::uint64_t bits_of(double x)
{
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return bits;
}

double double_of(std::uint64_t bits)
{
    double x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
}

bool same_bits(double a, double b) { return bits_of(a) == bits_of(b); }

/// Doubles mapped to integers in their order (-0 and +0 both to 0), so the
/// difference of two images counts the doubles between them.
std::int64_t ordered(double x)
{
    const std::uint64_t bits = bits_of(x);
    const std::int64_t magnitude = static_cast<std::int64_t>(bits & 0x7fffffffffffffffull);
    return (bits >> 63) != 0 ? -magnitude : magnitude;
}

/// Ulps between a and b; 0 when both are NaN, "infinitely many" when only
/// one is.
std::uint64_t ulp_distance(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<std::uint64_t>::max();
    const std::int64_t d = ordered(a) - ordered(b);
    return static_cast<std::uint64_t>(d < 0 ? -d : d);
}

/// Error of got in units of the last place of the exact value (the long
/// double reference), double's ulp in the reference's binade.
double fractional_ulps(double got, long double reference)
{
    if (reference == 0.0L)
        return got == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    const int exponent = std::max(std::ilogb(std::fabs(reference)), -1022);
    const long double ulp = std::ldexp(1.0L, exponent - 52);
    return static_cast<double>(std::fabs(static_cast<long double>(got) - reference) / ulp);
}

constexpr bool kLongDoubleReference = LDBL_MANT_DIG >= 64;

/// Deterministic inputs (splitmix64).
class Inputs {
public:
    explicit Inputs(std::uint64_t seed)
        : state_(seed)
    {
    }

    std::uint64_t next_u64()
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1p-53; }

    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    /// Log-uniform in [lo, hi], lo > 0.
    double log_uniform(double lo, double hi)
    {
        return std::exp(uniform(std::log(lo), std::log(hi)));
    }

private:
    std::uint64_t state_;
};

struct Accuracy {
    std::uint64_t max_ulps_vs_libm = 0;
    double max_ulps_vs_exact = 0.0;
    double worst_input = 0.0;
    long points = 0;
};

/// Compares f with libm and (if available) the long double reference at
/// every input; reports the worst case and adds a failure per input beyond
/// 1 ulp (at most a few, then a summary).
void measure(const char* label, const std::vector<double>& inputs,
    const std::function<double(double)>& f, const std::function<double(double)>& libm,
    const std::function<long double(long double)>& reference, Accuracy& accuracy)
{
    int reported = 0;
    for (const double x : inputs) {
        const double got = f(x);
        const std::uint64_t ulps = ulp_distance(got, libm(x));
        ++accuracy.points;
        if (ulps > accuracy.max_ulps_vs_libm)
            accuracy.max_ulps_vs_libm = ulps;
        double exact_ulps = 0.0;
        if (kLongDoubleReference && std::isfinite(got))
            exact_ulps = fractional_ulps(got, reference(static_cast<long double>(x)));
        if (exact_ulps > accuracy.max_ulps_vs_exact) {
            accuracy.max_ulps_vs_exact = exact_ulps;
            accuracy.worst_input = x;
        }
        if ((ulps > 1 || exact_ulps >= 1.0) && ++reported <= 5)
            ADD_FAILURE() << label << "(" << std::hexfloat << x << ") = " << got << ", libm "
                          << libm(x) << std::defaultfloat << ": " << ulps << " ulps from libm, "
                          << exact_ulps << " ulps from exact";
    }
}

void report(const char* name, const Accuracy& accuracy)
{
    std::printf("%-6s %9ld points: max %llu ulp from glibc", name, accuracy.points,
        static_cast<unsigned long long>(accuracy.max_ulps_vs_libm));
    if (kLongDoubleReference)
        std::printf(
            ", max %.3f ulp from exact (at %a)", accuracy.max_ulps_vs_exact, accuracy.worst_input);
    std::printf("\n");
    EXPECT_LE(accuracy.max_ulps_vs_libm, 1u) << name;
    EXPECT_LT(accuracy.max_ulps_vs_exact, 1.0) << name;
}

/// The k doubles on either side of x.
void add_neighbours(std::vector<double>& inputs, double x, int k)
{
    double up = x, down = x;
    for (int i = 0; i < k; ++i) {
        up = std::nextafter(up, std::numeric_limits<double>::infinity());
        down = std::nextafter(down, -std::numeric_limits<double>::infinity());
        inputs.push_back(up);
        inputs.push_back(down);
    }
}

double log_of(double x) { return ieee_math::log(x); }
double log1p_of(double x) { return ieee_math::log1p(x); }
double sin_of(double x) { return ieee_math::sin(x); }
double cos_of(double x) { return ieee_math::cos(x); }
double libm_log(double x) { return std::log(x); }
double libm_log1p(double x) { return std::log1p(x); }
double libm_sin(double x) { return std::sin(x); }
double libm_cos(double x) { return std::cos(x); }
long double exact_log(long double x) { return std::log(x); }
long double exact_log1p(long double x) { return std::log1p(x); }
long double exact_sin(long double x) { return std::sin(x); }
long double exact_cos(long double x) { return std::cos(x); }

// ---------------------------------------------------------------------------
// Accuracy

TEST(IeeeMathAccuracy, Log)
{
    Inputs rng(0x10c);
    std::vector<double> inputs;
    for (int i = 0; i < 2000000; ++i)
        inputs.push_back(rng.log_uniform(1e-300, 1e300));
    for (int i = 0; i < 2000000; ++i)
        inputs.push_back(rng.uniform(0.5, 2.0));
    for (int i = 0; i < 500000; ++i) // random bit patterns: every binade
        inputs.push_back(double_of(rng.next_u64() & 0x7fefffffffffffffull));
    for (int i = 0; i < 200000; ++i) // subnormals
        inputs.push_back(double_of(1 + (rng.next_u64() & 0x000ffffffffffffeull)));
    add_neighbours(inputs, 1.0, 100000); // log x ~ x - 1: cancellation
    add_neighbours(inputs, std::sqrt(0.5), 1000); // reduction boundaries
    add_neighbours(inputs, std::sqrt(2.0), 1000);
    Accuracy accuracy;
    measure("log", inputs, log_of, libm_log, exact_log, accuracy);
    report("log", accuracy);
}

TEST(IeeeMathAccuracy, Log1p)
{
    Inputs rng(0x1091);
    std::vector<double> inputs;
    for (int i = 0; i < 1000000; ++i) {
        const double x = rng.log_uniform(1e-300, 1e-1);
        inputs.push_back(x);
        inputs.push_back(-x);
    }
    for (int i = 0; i < 1000000; ++i) // near -1
        inputs.push_back(-1.0 + rng.log_uniform(0x1p-53, 0.5));
    for (int i = 0; i < 1000000; ++i)
        inputs.push_back(rng.uniform(-1.0, 1.0));
    for (int i = 0; i < 1000000; ++i)
        inputs.push_back(rng.log_uniform(1.0, 1e10));
    for (int i = 0; i < 100000; ++i) // subnormals of both signs
        inputs.push_back(double_of((rng.next_u64() & 0x800ffffffffffffeull) + 1));
    add_neighbours(inputs, std::sqrt(2.0) - 1.0, 1000); // reduction boundaries
    add_neighbours(inputs, std::sqrt(0.5) - 1.0, 1000);
    add_neighbours(inputs, 0x1p-53, 1000);
    add_neighbours(inputs, -0x1p-53, 1000);
    Accuracy accuracy;
    measure("log1p", inputs, log1p_of, libm_log1p, exact_log1p, accuracy);
    report("log1p", accuracy);
}

/// Angles for sin and cos: the callers' range [0, 2 pi) densely, then
/// [-1e5, 1e5], near multiples of pi/2 (where the reduction cancels), small
/// and tiny arguments, and up to the end of the accurate range.
std::vector<double> trig_inputs()
{
    Inputs rng(0x5c05);
    std::vector<double> inputs;
    for (int i = 0; i < 3000000; ++i)
        inputs.push_back(rng.uniform(0.0, 2.0 * kPi));
    for (int i = 0; i < 1000000; ++i)
        inputs.push_back(rng.uniform(-1e5, 1e5));
    for (int i = 0; i < 200000; ++i) {
        const double x = rng.log_uniform(1e-300, 1.6e6);
        inputs.push_back(x);
        inputs.push_back(-x);
    }
    for (int k = -4000; k <= 4000; ++k)
        add_neighbours(inputs, k * (0.5 * kPi), 8);
    for (int i = 0; i < 2000; ++i) {
        const double k = std::floor(rng.uniform(0.0, 1e6));
        add_neighbours(inputs, k * (0.5 * kPi), 4);
    }
    for (const double x : { 0.25 * kPi, 0.75 * kPi, 0x1p-27, 0x1.6a09e667f3bcdp-27 })
        add_neighbours(inputs, x, 1000);
    return inputs;
}

TEST(IeeeMathAccuracy, SinCos)
{
    const std::vector<double> inputs = trig_inputs();
    Accuracy sin_accuracy, cos_accuracy;
    measure("sin", inputs, sin_of, libm_sin, exact_sin, sin_accuracy);
    measure("cos", inputs, cos_of, libm_cos, exact_cos, cos_accuracy);
    report("sin", sin_accuracy);
    report("cos", cos_accuracy);
}

TEST(IeeeMathAccuracy, SinCosEqualsSinAndCos)
{
    int mismatches = 0;
    for (const double x : trig_inputs()) {
        double s, c;
        ieee_math::sincos(x, s, c);
        if ((!same_bits(s, ieee_math::sin(x)) || !same_bits(c, ieee_math::cos(x)))
            && ++mismatches <= 5)
            ADD_FAILURE() << "sincos(" << std::hexfloat << x << ") = (" << s << ", " << c
                          << "), sin " << ieee_math::sin(x) << ", cos " << ieee_math::cos(x);
    }
    EXPECT_EQ(mismatches, 0);
}

// ---------------------------------------------------------------------------
// Special values

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinSubnormal = std::numeric_limits<double>::denorm_min();

TEST(IeeeMathSpecial, Log)
{
    EXPECT_TRUE(same_bits(ieee_math::log(1.0), 0.0));
    EXPECT_EQ(ieee_math::log(0.0), -kInf);
    EXPECT_EQ(ieee_math::log(-0.0), -kInf);
    EXPECT_EQ(ieee_math::log(kInf), kInf);
    EXPECT_TRUE(std::isnan(ieee_math::log(-kInf)));
    EXPECT_TRUE(std::isnan(ieee_math::log(kNaN)));
    EXPECT_TRUE(std::isnan(ieee_math::log(-kNaN)));
    EXPECT_TRUE(std::isnan(ieee_math::log(-1.0)));
    EXPECT_TRUE(std::isnan(ieee_math::log(-kMinSubnormal)));
    EXPECT_EQ(ieee_math::log(kMinSubnormal), std::log(kMinSubnormal)); // -1074 log 2
    EXPECT_EQ(ieee_math::log(DBL_MIN), std::log(DBL_MIN));
    EXPECT_EQ(ieee_math::log(DBL_MAX), std::log(DBL_MAX));
    EXPECT_EQ(ieee_math::log(2.0), 0x1.62e42fefa39efp-1);
    EXPECT_EQ(ieee_math::log(0.5), -0x1.62e42fefa39efp-1);
}

TEST(IeeeMathSpecial, Log1p)
{
    EXPECT_TRUE(same_bits(ieee_math::log1p(0.0), 0.0));
    EXPECT_TRUE(same_bits(ieee_math::log1p(-0.0), -0.0));
    EXPECT_EQ(ieee_math::log1p(-1.0), -kInf);
    EXPECT_EQ(ieee_math::log1p(kInf), kInf);
    EXPECT_TRUE(std::isnan(ieee_math::log1p(-kInf)));
    EXPECT_TRUE(std::isnan(ieee_math::log1p(-1.5)));
    EXPECT_TRUE(std::isnan(ieee_math::log1p(std::nextafter(-1.0, -2.0))));
    EXPECT_TRUE(std::isnan(ieee_math::log1p(kNaN)));
    EXPECT_TRUE(std::isnan(ieee_math::log1p(-kNaN)));
    EXPECT_EQ(ieee_math::log1p(kMinSubnormal), kMinSubnormal);
    EXPECT_EQ(ieee_math::log1p(-kMinSubnormal), -kMinSubnormal);
    EXPECT_EQ(ieee_math::log1p(DBL_MAX), std::log(DBL_MAX));
    EXPECT_EQ(ieee_math::log1p(1.0), 0x1.62e42fefa39efp-1);
}

TEST(IeeeMathSpecial, SinCos)
{
    EXPECT_TRUE(same_bits(ieee_math::sin(0.0), 0.0));
    EXPECT_TRUE(same_bits(ieee_math::sin(-0.0), -0.0));
    EXPECT_EQ(ieee_math::cos(0.0), 1.0);
    EXPECT_EQ(ieee_math::cos(-0.0), 1.0);
    EXPECT_EQ(ieee_math::sin(kMinSubnormal), kMinSubnormal);
    EXPECT_EQ(ieee_math::cos(kMinSubnormal), 1.0);
    double s, c;
    ieee_math::sincos(-0.0, s, c);
    EXPECT_TRUE(same_bits(s, -0.0));
    EXPECT_EQ(c, 1.0);
    for (const double x : { kInf, -kInf, kNaN, -kNaN }) {
        EXPECT_TRUE(std::isnan(ieee_math::sin(x))) << x;
        EXPECT_TRUE(std::isnan(ieee_math::cos(x))) << x;
        ieee_math::sincos(x, s, c);
        EXPECT_TRUE(std::isnan(s) && std::isnan(c)) << x;
    }
    // pi/2 and pi are the hardest cancellations of the reduction.
    EXPECT_EQ(ieee_math::cos(0.5 * kPi), std::cos(0.5 * kPi)); // 6.123e-17
    EXPECT_EQ(ieee_math::sin(kPi), std::sin(kPi)); // 1.2246e-16
    EXPECT_EQ(ieee_math::sin(0.5 * kPi), 1.0);
    EXPECT_EQ(ieee_math::cos(kPi), -1.0);
}

// Past the accurate range: 2^20 * pi/2 .. 2^40 loses accuracy gradually but
// stays a sine; beyond 2^40 the result is NaN (documented in the header).
TEST(IeeeMathSpecial, SinCosBeyondAccurateRange)
{
    Inputs rng(0xb16);
    for (int i = 0; i < 10000; ++i) {
        const double x = rng.log_uniform(1.7e6, 0x1p40 * 0.999);
        const double tolerance = std::ldexp(x, -50);
        EXPECT_NEAR(ieee_math::sin(x), std::sin(x), tolerance) << x;
        EXPECT_NEAR(ieee_math::cos(x), std::cos(x), tolerance) << x;
    }
    for (const double x : { 0x1p40, 1e300, -DBL_MAX, DBL_MAX }) {
        EXPECT_TRUE(std::isnan(ieee_math::sin(x))) << x;
        EXPECT_TRUE(std::isnan(ieee_math::cos(x))) << x;
    }
}

// ---------------------------------------------------------------------------
// log(k!) table

TEST(IeeeMathLogFactorial, CorrectlyRounded)
{
    EXPECT_TRUE(same_bits(ieee_math::log_factorial_small(0), 0.0));
    EXPECT_TRUE(same_bits(ieee_math::log_factorial_small(1), 0.0));
    long double factorial = 1.0L;
    for (int k = 2; k < 16; ++k) {
        factorial *= k; // exact: 15! < 2^41
        const double value = ieee_math::log_factorial_small(k);
        EXPECT_LE(ulp_distance(value, std::lgamma(k + 1.0)), 1u) << k;
        if (kLongDoubleReference) {
            // 11 spare bits: rounding the long double log to double is
            // correct unless log(k!) lies within 2^-11 ulp of a midpoint,
            // which none of these does.
            EXPECT_LT(fractional_ulps(value, std::log(factorial)), 0.5) << k;
            EXPECT_EQ(value, static_cast<double>(std::log(factorial))) << k;
        }
    }
    EXPECT_TRUE(std::isnan(ieee_math::log_factorial_small(16)));
    EXPECT_TRUE(std::isnan(ieee_math::log_factorial_small(-1)));
}

} // namespace

// ---------------------------------------------------------------------------
// Kernels compute the same bits as the host. At file scope, in a named
// namespace: nvcc's extended lambdas must not sit in a TEST body.

namespace dtb_test_ieee_math {

constexpr int kFunctions = 6; // log, log1p, sin, cos, sincos (2)

template <class ExecSpace>
void evaluate_on(Kokkos::View<const double*, ExecSpace> inputs,
    Kokkos::View<double**, Kokkos::LayoutRight, ExecSpace> outputs)
{
    Kokkos::parallel_for(
        "test_ieee_math::evaluate_on",
        Kokkos::RangePolicy<ExecSpace>(0, static_cast<int>(inputs.extent(0))),
        KOKKOS_LAMBDA(const int i) {
            namespace m = dtb::sim::ieee_math;
            const double x = inputs(i);
            outputs(i, 0) = m::log(x);
            outputs(i, 1) = m::log1p(x);
            outputs(i, 2) = m::sin(x);
            outputs(i, 3) = m::cos(x);
            m::sincos(x, outputs(i, 4), outputs(i, 5));
        });
    Kokkos::fence();
}

template <class ExecSpace>
void evaluate_log_factorials_on(Kokkos::View<double*, ExecSpace> outputs)
{
    Kokkos::parallel_for(
        "test_ieee_math::evaluate_log_factorials_on",
        Kokkos::RangePolicy<ExecSpace>(0, static_cast<int>(outputs.extent(0))),
        KOKKOS_LAMBDA(const int k) { outputs(k) = dtb::sim::ieee_math::log_factorial_small(k); });
    Kokkos::fence();
}

} // namespace dtb_test_ieee_math

namespace {

template <class ExecSpace>
void expect_kernel_matches_host()
{
    Inputs rng(0xdef);
    std::vector<double> inputs;
    for (int i = 0; i < 20000; ++i) {
        inputs.push_back(rng.uniform(0.0, 2.0 * kPi));
        inputs.push_back(rng.log_uniform(1e-300, 1e300));
        inputs.push_back(-1.0 + rng.log_uniform(0x1p-53, 2.0));
        inputs.push_back(rng.uniform(-1e5, 1e5));
        inputs.push_back(double_of(rng.next_u64())); // anything, NaN and inf included
    }
    for (const double x : { 0.0, -0.0, 1.0, -1.0, kInf, -kInf, kNaN, kMinSubnormal, DBL_MAX })
        inputs.push_back(x);
    const int count = static_cast<int>(inputs.size());

    Kokkos::View<double*, ExecSpace> device_inputs("inputs", count);
    {
        const auto host_inputs = Kokkos::create_mirror_view(device_inputs);
        for (int i = 0; i < count; ++i)
            host_inputs(i) = inputs[i];
        Kokkos::deep_copy(device_inputs, host_inputs);
    }
    Kokkos::View<double**, Kokkos::LayoutRight, ExecSpace> outputs(
        "outputs", count, dtb_test_ieee_math::kFunctions);
    dtb_test_ieee_math::evaluate_on<ExecSpace>(device_inputs, outputs);
    const auto got = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), outputs);

    int mismatches = 0;
    for (int i = 0; i < count; ++i) {
        const double x = inputs[i];
        double expected[dtb_test_ieee_math::kFunctions] = { ieee_math::log(x), ieee_math::log1p(x),
            ieee_math::sin(x), ieee_math::cos(x), 0.0, 0.0 };
        ieee_math::sincos(x, expected[4], expected[5]);
        for (int j = 0; j < dtb_test_ieee_math::kFunctions; ++j)
            if (!same_bits(got(i, j), expected[j]) && ++mismatches <= 10)
                ADD_FAILURE() << ExecSpace::name() << " function " << j << " at " << std::hexfloat
                              << x << ": kernel " << got(i, j) << ", host " << expected[j];
    }
    EXPECT_EQ(mismatches, 0) << ExecSpace::name();

    Kokkos::View<double*, ExecSpace> factorials("factorials", 16);
    dtb_test_ieee_math::evaluate_log_factorials_on<ExecSpace>(factorials);
    const auto host_factorials
        = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), factorials);
    for (int k = 0; k < 16; ++k)
        EXPECT_TRUE(same_bits(host_factorials(k), ieee_math::log_factorial_small(k))) << k;
}

TEST(IeeeMathKernel, KernelEqualsHostBitwise)
{
    expect_kernel_matches_host<Kokkos::DefaultExecutionSpace>();
}

} // namespace
