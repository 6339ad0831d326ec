// Tests of the counter-based RNG (sim/counter_rng.hpp) and its exact
// samplers (sim/counter_rng_samplers.hpp): stream layout and
// reproducibility, then statistical tests of every distribution, then
// kernel-versus-host equality.
//
// Every statistical test uses fixed streams, so a given build either passes
// or fails deterministically. Tolerances: moments within 5 standard errors
// (a false alarm rate of ~6e-7 per check for a correct sampler);
// chi-square and Kolmogorov-Smirnov tests reject at p < 1e-4.
#include "sim/counter_rng.hpp"

#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

using dtb::sim::CounterRng;
using dtb::sim::RngPurpose;

constexpr double kSigmas = 5.0;          // moment tolerance, in standard errors
constexpr double kMinPValue = 1e-4;      // chi-square and KS rejection level
constexpr std::uint64_t kSeed = 0x5EED'0F'D7B'2024ull;

// ---------------------------------------------------------------------------
// Statistics helpers (host only).

/// Regularised upper incomplete gamma Q(a, x) (Numerical Recipes 6.2:
/// series for x < a + 1, Lentz's continued fraction otherwise).
double regularized_gamma_q(double a, double x)
{
    if (x <= 0.0)
        return 1.0;
    const double log_prefactor = -x + a * std::log(x) - std::lgamma(a);
    if (x < a + 1.0) {
        double term = 1.0 / a;
        double sum = term;
        for (int i = 1; i < 100000; ++i) {
            term *= x / (a + i);
            sum += term;
            if (std::fabs(term) < std::fabs(sum) * 1e-16)
                break;
        }
        return std::max(0.0, 1.0 - sum * std::exp(log_prefactor));
    }
    constexpr double tiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < 100000; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < 1e-16)
            break;
    }
    return std::exp(log_prefactor) * h;
}

/// P(chi2 with df degrees of freedom > x).
double chi_square_p_value(double chi2, double df)
{
    return regularized_gamma_q(0.5 * df, 0.5 * chi2);
}

struct ChiSquare {
    double statistic = 0.0;
    int bins = 0;
    double p_value = 1.0;
};

/// Chi-square goodness of fit of observed counts against expected counts,
/// merging adjacent cells left to right until each holds an expected count
/// of at least 5 (a remainder joins the last bin). df = bins - 1.
ChiSquare chi_square(const std::vector<double>& observed, const std::vector<double>& expected)
{
    std::vector<double> obs_bins, exp_bins;
    double o = 0.0, e = 0.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        o += observed[i];
        e += expected[i];
        if (e >= 5.0) {
            obs_bins.push_back(o);
            exp_bins.push_back(e);
            o = e = 0.0;
        }
    }
    if (e > 0.0 || o > 0.0) {
        if (exp_bins.empty()) {
            obs_bins.push_back(o);
            exp_bins.push_back(e);
        } else {
            obs_bins.back() += o;
            exp_bins.back() += e;
        }
    }
    ChiSquare result;
    result.bins = static_cast<int>(obs_bins.size());
    for (std::size_t i = 0; i < obs_bins.size(); ++i) {
        const double diff = obs_bins[i] - exp_bins[i];
        result.statistic += diff * diff / exp_bins[i];
    }
    result.p_value = result.bins > 1 ? chi_square_p_value(result.statistic, result.bins - 1) : 1.0;
    return result;
}

/// Chi-square of integer draws against a pmf on [lo, hi]; draws outside
/// that range are counted in the edge cells, and the pmf mass outside it
/// (chosen negligible by the callers) goes to the last cell.
ChiSquare chi_square_pmf(const std::vector<std::uint64_t>& draws, std::uint64_t lo, std::uint64_t hi,
                         const std::function<long double(std::uint64_t)>& pmf)
{
    const std::size_t cells = static_cast<std::size_t>(hi - lo + 1);
    std::vector<double> observed(cells, 0.0), expected(cells, 0.0);
    for (const std::uint64_t k : draws) {
        const std::uint64_t clamped = std::min(std::max(k, lo), hi);
        observed[static_cast<std::size_t>(clamped - lo)] += 1.0;
    }
    long double total = 0.0L;
    for (std::size_t i = 0; i < cells; ++i) {
        const long double p = pmf(lo + i);
        total += p;
        expected[i] = static_cast<double>(p * static_cast<long double>(draws.size()));
    }
    expected.back() += static_cast<double>((1.0L - total) * static_cast<long double>(draws.size()));
    return chi_square(observed, expected);
}

/// Kolmogorov-Smirnov test of samples against a continuous CDF; the
/// p-value uses the asymptotic Kolmogorov series with Stephens' small-n
/// correction.
double ks_p_value(std::vector<double> samples, const std::function<double(double)>& cdf)
{
    std::sort(samples.begin(), samples.end());
    const double n = static_cast<double>(samples.size());
    double d = 0.0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double f = cdf(samples[i]);
        d = std::max(d, std::max(f - i / n, (i + 1) / n - f));
    }
    const double t = d * (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n));
    double p = 0.0;
    for (int k = 1; k <= 100; ++k)
        p += (k % 2 == 1 ? 2.0 : -2.0) * std::exp(-2.0 * k * k * t * t);
    return std::min(1.0, std::max(0.0, p));
}

/// A test-name-safe rendering of a number ("1e+06" -> "1e06", "0.3" -> "0p3").
std::string name_of(double x)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    std::string out;
    for (const char ch : std::string(buf)) {
        if (ch == '.')
            out += 'p';
        else if (ch != '+')
            out += ch == '-' ? 'm' : ch;
    }
    return out;
}

struct Moments {
    double mean = 0.0;
    double variance = 0.0; // unbiased
};

template <class T>
Moments moments(const std::vector<T>& x)
{
    long double sum = 0.0L;
    for (const T v : x)
        sum += static_cast<long double>(v);
    const long double mean = sum / x.size();
    long double ss = 0.0L;
    for (const T v : x) {
        const long double d = static_cast<long double>(v) - mean;
        ss += d * d;
    }
    return {static_cast<double>(mean), static_cast<double>(ss / (x.size() - 1))};
}

/// Checks sample mean and variance against the distribution's mean, variance
/// and fourth central moment mu4, each within kSigmas standard errors:
/// SE(mean) = sqrt(var / n), SE(variance) = sqrt((mu4 - var^2) / n).
template <class T>
void expect_moments(const std::vector<T>& x, double mean, double variance, double mu4,
                    const std::string& what)
{
    const double n = static_cast<double>(x.size());
    const Moments m = moments(x);
    const double se_mean = std::sqrt(variance / n);
    const double se_var = std::sqrt((mu4 - variance * variance) / n);
    EXPECT_LE(std::fabs(m.mean - mean), kSigmas * se_mean)
        << what << ": mean " << m.mean << " expected " << mean << " (SE " << se_mean << ")";
    EXPECT_LE(std::fabs(m.variance - variance), kSigmas * se_var)
        << what << ": variance " << m.variance << " expected " << variance << " (SE " << se_var << ")";
}

std::vector<std::uint32_t> first_u32(CounterRng rng, int count)
{
    std::vector<std::uint32_t> out(static_cast<std::size_t>(count));
    for (auto& v : out)
        v = rng.next_u32();
    return out;
}

int count_equal(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b)
{
    int equal = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        equal += a[i] == b[i] ? 1 : 0;
    return equal;
}

// ---------------------------------------------------------------------------
// Stream layout and reproducibility.

TEST(CounterRngStream, PhiloxKnownAnswers)
{
    // Random123's tests/kat_vectors, "philox4x32 10" lines: ctr[4] key[2] -> out[4].
    struct Kat {
        philox4x32_ctr_t ctr;
        philox4x32_key_t key;
        std::uint32_t out[4];
    };
    const Kat kats[] = {
        {{{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, {{0xffffffff, 0xffffffff}},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Kat& kat : kats) {
        const philox4x32_ctr_t out = philox4x32(kat.ctr, kat.key);
        for (int i = 0; i < 4; ++i)
            EXPECT_EQ(out.v[i], kat.out[i]) << "word " << i;
    }
    // All-zero key and counter through CounterRng.
    CounterRng rng(0, static_cast<RngPurpose>(0), 0, 0);
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(rng.next_u32(), kats[0].out[i]) << "word " << i;
}

TEST(CounterRngStream, LayoutMatchesDocumentedCounter)
{
    // key = seed; ctr = {id bits 0-31, id bits 32-47 | purpose << 16, step,
    // block index}. Changing this changes every user's results.
    const std::uint64_t seeds[] = {0, 1, kSeed, 0xFFFFFFFFFFFFFFFFull};
    const std::uint64_t ids[] = {0, 1, 0xFFFFFFFFull, 0x100000000ull, 0xFFFFFFFFFFFFull};
    const std::uint64_t steps[] = {0, 1, 123456789, 0xFFFFFFFFull};
    for (const auto seed : seeds)
        for (const auto id : ids)
            for (const auto step : steps) {
                CounterRng rng(seed, RngPurpose::ou_input, id, step);
                philox4x32_key_t key = {{static_cast<std::uint32_t>(seed),
                                         static_cast<std::uint32_t>(seed >> 32)}};
                for (std::uint32_t block = 0; block < 3; ++block) {
                    philox4x32_ctr_t ctr = {{static_cast<std::uint32_t>(id),
                                             static_cast<std::uint32_t>(id >> 32) | (7u << 16),
                                             static_cast<std::uint32_t>(step), block}};
                    const philox4x32_ctr_t expected = philox4x32(ctr, key);
                    for (int i = 0; i < 4; ++i)
                        ASSERT_EQ(rng.next_u32(), expected.v[i])
                            << "seed " << seed << " id " << id << " step " << step << " block " << block;
                }
            }
}

TEST(CounterRngStream, SameKeySameSequence)
{
    CounterRng a(kSeed, RngPurpose::poisson_input, 123456789012ull, 42);
    CounterRng b(kSeed, RngPurpose::poisson_input, 123456789012ull, 42);
    for (int i = 0; i < 2000; ++i) {
        // A mix of every draw kind: each must consume the same numbers.
        switch (i % 8) {
        case 0: ASSERT_EQ(a.next_u32(), b.next_u32()); break;
        case 1: ASSERT_EQ(a.uniform(), b.uniform()); break;
        case 2: ASSERT_EQ(a.normal(), b.normal()); break;
        case 3: ASSERT_EQ(a.poisson(0.1 * i), b.poisson(0.1 * i)); break;
        case 4: ASSERT_EQ(a.binomial(1000 + i, 0.37), b.binomial(1000 + i, 0.37)); break;
        case 5: ASSERT_EQ(a.gamma(0.5 + 0.01 * i, 2.0), b.gamma(0.5 + 0.01 * i, 2.0)); break;
        case 6: ASSERT_EQ(a.uniform_int(1000003), b.uniform_int(1000003)); break;
        default: ASSERT_EQ(a.poisson(1e5 + i), b.poisson(1e5 + i)); break;
        }
    }
}

TEST(CounterRngStream, ChangingAnyKeyPartChangesSequence)
{
    const std::uint64_t id = 0x0000'1234'5678'9ABCull;
    const std::uint64_t step = 1000;
    const auto base = first_u32(CounterRng(kSeed, RngPurpose::weight, id, step), 64);
    struct Variant {
        const char* what;
        CounterRng rng;
    };
    const Variant variants[] = {
        {"seed + 1", CounterRng(kSeed + 1, RngPurpose::weight, id, step)},
        {"seed high half", CounterRng(kSeed ^ (1ull << 40), RngPurpose::weight, id, step)},
        {"purpose", CounterRng(kSeed, RngPurpose::delay, id, step)},
        {"id + 1", CounterRng(kSeed, RngPurpose::weight, id + 1, step)},
        {"id bit 32", CounterRng(kSeed, RngPurpose::weight, id ^ (1ull << 32), step)},
        {"id bit 47", CounterRng(kSeed, RngPurpose::weight, id ^ (1ull << 47), step)},
        {"step + 1", CounterRng(kSeed, RngPurpose::weight, id, step + 1)},
    };
    for (const Variant& v : variants) {
        // Independent streams agree on a 32-bit word with probability 2^-32.
        EXPECT_LE(count_equal(base, first_u32(v.rng, 64)), 1) << v.what;
    }
}

TEST(CounterRngStream, PurposesAndIdsDoNotCollide)
{
    // Ids up to 2^48 - 1 (the documented range), including every boundary
    // of the counter words, for every purpose and two steps: the first
    // 128-bit block of all these streams must be distinct.
    std::vector<std::uint64_t> ids = {0, 1, 0xFFFF, 0x10000, 0xFFFFFFFFull, 0x100000000ull,
                                      0x1FFFFFFFFull, 1ull << 47, (1ull << 48) - 1,
                                      (1ull << 48) - 0x100000000ull};
    for (int bit = 0; bit < 48; ++bit)
        ids.push_back(1ull << bit);
    for (std::uint64_t i = 0; i < 200; ++i)
        ids.push_back((i * 0x9E3779B97F4A7C15ull) >> 16); // spread over [0, 2^48)
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>> blocks;
    std::size_t streams = 0;
    for (std::uint32_t purpose = 1; purpose <= 8; ++purpose)
        for (const auto id : ids)
            for (const std::uint64_t step : {0ull, 1ull}) {
                CounterRng rng(kSeed, static_cast<RngPurpose>(purpose), id, step);
                const auto w0 = rng.next_u32(), w1 = rng.next_u32(), w2 = rng.next_u32(),
                           w3 = rng.next_u32();
                blocks.insert({w0, w1, w2, w3});
                ++streams;
            }
    EXPECT_EQ(blocks.size(), streams);
}

// ---------------------------------------------------------------------------
// Uniform draws.

TEST(CounterRngUniform, RangeMomentsAndChiSquare)
{
    constexpr int n = 1000000;
    std::vector<double> u(n);
    CounterRng rng(kSeed, RngPurpose::initial_state, 1, 0);
    int odd = 0; // draws whose 53-bit integer is odd: the low bit is random
    std::vector<double> counts(100, 0.0);
    for (auto& x : u) {
        x = rng.uniform();
        ASSERT_GE(x, 0.0);
        ASSERT_LT(x, 1.0);
        odd += static_cast<int>(static_cast<std::uint64_t>(std::ldexp(x, 53)) & 1u);
        counts[static_cast<std::size_t>(x * 100.0)] += 1.0;
    }
    // U(0,1): var 1/12, mu4 1/80.
    expect_moments(u, 0.5, 1.0 / 12.0, 1.0 / 80.0, "uniform");
    EXPECT_LE(std::fabs(odd - 0.5 * n), kSigmas * std::sqrt(0.25 * n)) << "53-bit resolution";
    const ChiSquare chi = chi_square(counts, std::vector<double>(100, n / 100.0));
    EXPECT_EQ(chi.bins, 100);
    EXPECT_GT(chi.p_value, kMinPValue) << "chi2 " << chi.statistic;

    CounterRng open_rng(kSeed, RngPurpose::initial_state, 2, 0);
    for (int i = 0; i < 100000; ++i) {
        const double x = open_rng.uniform_open();
        ASSERT_GT(x, 0.0);
        ASSERT_LT(x, 1.0);
    }
}

/// Chi-square of uniform_int(range) draws classified into `cells` equally
/// likely classes by classify().
double uniform_int_p_value(std::uint64_t range, int draws, int cells,
                           const std::function<int(std::uint64_t)>& classify)
{
    CounterRng rng(kSeed, RngPurpose::connectivity, range & 0xFFFFFFFFFFFFull, 3);
    std::vector<double> counts(static_cast<std::size_t>(cells), 0.0);
    for (int i = 0; i < draws; ++i) {
        const std::uint64_t x = rng.uniform_int(range);
        EXPECT_LT(x, range);
        if (x >= range)
            return 0.0;
        counts[static_cast<std::size_t>(classify(x))] += 1.0;
    }
    return chi_square(counts, std::vector<double>(static_cast<std::size_t>(cells),
                                                  static_cast<double>(draws) / cells))
        .p_value;
}

TEST(CounterRngUniform, UniformIntIsUnbiased)
{
    CounterRng one(kSeed, RngPurpose::connectivity, 0, 0);
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(one.uniform_int(1), 0u);

    EXPECT_GT(uniform_int_p_value(7, 700000, 7, [](std::uint64_t x) { return static_cast<int>(x); }),
              kMinPValue) << "n = 7";

    // n = 3 * 2^30: a multiply-shift without rejection maps 2 of every 4
    // words onto outputs = 0 mod 3 (1/3 of outputs get twice the mass).
    EXPECT_GT(uniform_int_p_value(3ull << 30, 300000, 3,
                                  [](std::uint64_t x) { return static_cast<int>(x % 3); }),
              kMinPValue) << "n = 3 * 2^30";

    // n = 2^32 + 3 (the 64-bit path): 100 equal-width bins. Folding a 33-bit
    // mask by modulo would double the lower half.
    const std::uint64_t big = (1ull << 32) + 3;
    EXPECT_GT(uniform_int_p_value(big, 500000, 100,
                                  [big](std::uint64_t x) {
                                      return static_cast<int>(static_cast<unsigned __int128>(x) * 100 / big);
                                  }),
              kMinPValue) << "n = 2^32 + 3";

    // n = 3 * 2^62: x % n of a 64-bit word would give [0, 2^62) twice the mass.
    EXPECT_GT(uniform_int_p_value(3ull << 62, 300000, 3,
                                  [](std::uint64_t x) { return static_cast<int>(x >> 62); }),
              kMinPValue) << "n = 3 * 2^62";
}

// ---------------------------------------------------------------------------
// Normal draws.

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(CounterRngNormal, MomentsAndKolmogorovSmirnov)
{
    constexpr int n = 1000000;
    std::vector<double> x(n);
    CounterRng rng(kSeed, RngPurpose::ou_input, 77, 5);
    for (auto& v : x)
        v = rng.normal();
    expect_moments(x, 0.0, 1.0, 3.0, "normal");
    x.resize(100000);
    const double p = ks_p_value(x, normal_cdf);
    EXPECT_GT(p, kMinPValue) << "KS against N(0,1)";
}

// The pair's two values: each N(0,1), uncorrelated with each other, and the
// first is what normal() returns from the same stream.
TEST(CounterRngNormal, PairValuesAreIndependentStandardNormals)
{
    constexpr int n = 400000;
    std::vector<double> first(n), second(n);
    double cross = 0;
    for (int i = 0; i < n; ++i) {
        CounterRng pair_rng(kSeed, RngPurpose::ou_input, static_cast<std::uint64_t>(i), 3);
        pair_rng.normal_pair(first[i], second[i]);
        CounterRng single_rng(kSeed, RngPurpose::ou_input, static_cast<std::uint64_t>(i), 3);
        ASSERT_EQ(first[i], single_rng.normal()) << i;
        cross += first[i] * second[i];
    }
    expect_moments(first, 0.0, 1.0, 3.0, "pair, first");
    expect_moments(second, 0.0, 1.0, 3.0, "pair, second");
    // Correlation of independent N(0,1) pairs: sd 1/sqrt(n) = 0.0016.
    EXPECT_LT(std::abs(cross / n), 5.0 / std::sqrt(static_cast<double>(n))) << "first and second correlated";
    second.resize(100000);
    EXPECT_GT(ks_p_value(second, normal_cdf), kMinPValue) << "KS of the second value against N(0,1)";
}

// ---------------------------------------------------------------------------
// Poisson draws.

class CounterRngPoisson : public ::testing::TestWithParam<double> {};

TEST_P(CounterRngPoisson, MomentsAndPmf)
{
    const double mean = GetParam();
    // Fewer draws for the huge mean (moments only), 10^6 otherwise.
    const int n = mean > 1e7 ? 200000 : 1000000;
    std::vector<std::uint64_t> k(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        // One stream per draw, as the simulator uses them (id, step).
        CounterRng rng(kSeed, RngPurpose::poisson_input, static_cast<std::uint64_t>(i), 17);
        k[static_cast<std::size_t>(i)] = rng.poisson(mean);
    }
    if (mean == 0.0) {
        for (const auto v : k)
            ASSERT_EQ(v, 0u);
        // mean == 0 consumes no random numbers.
        CounterRng a(kSeed, RngPurpose::poisson_input, 0, 0), b = a;
        a.poisson(0.0);
        EXPECT_EQ(a.next_u32(), b.next_u32());
        return;
    }
    // Poisson: variance = mean, mu4 = mean + 3 mean^2.
    expect_moments(k, mean, mean, mean + 3.0 * mean * mean, "poisson(" + std::to_string(mean) + ")");
    if (mean > 1e7)
        return;
    const double sd = std::sqrt(mean);
    const auto lo = static_cast<std::uint64_t>(std::max(0.0, std::floor(mean - 15.0 * sd - 10.0)));
    const auto hi = static_cast<std::uint64_t>(std::ceil(mean + 15.0 * sd + 25.0));
    const long double lmean = mean;
    const ChiSquare chi = chi_square_pmf(k, lo, hi, [lmean](std::uint64_t x) {
        const long double xl = static_cast<long double>(x);
        return std::exp(xl * std::log(lmean) - lmean - std::lgamma(xl + 1.0L));
    });
    EXPECT_GT(chi.p_value, kMinPValue)
        << "poisson(" << mean << ") chi2 " << chi.statistic << " on " << chi.bins << " bins";
}

INSTANTIATE_TEST_SUITE_P(Means, CounterRngPoisson,
                         ::testing::Values(0.0, 0.01, 1.6, 9.9, 10.0, 30.0, 1000.0, 1e6, 1e12),
                         [](const ::testing::TestParamInfo<double>& param_info) {
                             return "mean_" + name_of(param_info.param);
                         });

// ---------------------------------------------------------------------------
// Binomial draws.

struct BinomialCase {
    std::uint64_t n;
    double p;
};

void PrintTo(const BinomialCase& c, std::ostream* os) { *os << "n = " << c.n << ", p = " << c.p; }

class CounterRngBinomial : public ::testing::TestWithParam<BinomialCase> {};

TEST_P(CounterRngBinomial, MomentsAndPmf)
{
    const auto [trials, p] = GetParam();
    constexpr int n = 1000000;
    std::vector<std::uint64_t> k(n);
    CounterRng rng(kSeed, RngPurpose::total_number_split, trials & 0xFFFFFFFFFFFFull, 3);
    for (auto& v : k) {
        v = rng.binomial(trials, p);
        ASSERT_LE(v, trials);
    }
    const std::string what = "binomial(" + std::to_string(trials) + ", " + std::to_string(p) + ")";
    if (trials == 0) {
        for (const auto v : k)
            ASSERT_EQ(v, 0u);
        return;
    }
    // Binomial: var = npq, mu4 = npq (1 + 3 pq (n - 2)).
    const double nd = static_cast<double>(trials);
    const double q = 1.0 - p;
    const double var = nd * p * q;
    expect_moments(k, nd * p, var, var * (1.0 + 3.0 * p * q * (nd - 2.0)), what);

    const double sd = std::sqrt(var);
    const auto lo = static_cast<std::uint64_t>(std::max(0.0, std::floor(nd * p - 15.0 * sd - 10.0)));
    const auto hi = static_cast<std::uint64_t>(std::min(nd, std::ceil(nd * p + 15.0 * sd + 25.0)));
    const long double ln = static_cast<long double>(trials);
    const long double log_p = std::log(static_cast<long double>(p));
    const long double log_q = std::log1p(-static_cast<long double>(p));
    const long double log_n_fact = std::lgamma(ln + 1.0L);
    const ChiSquare chi = chi_square_pmf(k, lo, hi, [=](std::uint64_t x) {
        const long double xl = static_cast<long double>(x);
        return std::exp(log_n_fact - std::lgamma(xl + 1.0L) - std::lgamma(ln - xl + 1.0L)
                        + xl * log_p + (ln - xl) * log_q);
    });
    EXPECT_GT(chi.p_value, kMinPValue) << what << " chi2 " << chi.statistic << " on " << chi.bins << " bins";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CounterRngBinomial,
    ::testing::Values(BinomialCase{0, 0.3}, BinomialCase{10, 0.5}, BinomialCase{100, 0.01},
                      BinomialCase{1000, 0.3}, BinomialCase{1000000, 0.7},
                      BinomialCase{1000000000000ull, 1e-3},
                      // inversion mirrored (n (1 - p) < 30), and BTPE at the switch point
                      BinomialCase{200, 0.95}, BinomialCase{61, 0.5}),
    [](const ::testing::TestParamInfo<BinomialCase>& param_info) {
        return "n_" + name_of(static_cast<double>(param_info.param.n)) + "_p_" + name_of(param_info.param.p);
    });

TEST(CounterRngBinomialEdges, DegenerateParameters)
{
    CounterRng rng(kSeed, RngPurpose::total_number_split, 9, 9);
    const CounterRng fresh = rng;
    EXPECT_EQ(rng.binomial(12345, 0.0), 0u);
    EXPECT_EQ(rng.binomial(12345, 1.0), 12345u);
    EXPECT_EQ(rng.binomial(0, 0.5), 0u);
    EXPECT_EQ(rng.binomial(1000000000000ull, 1.0), 1000000000000ull);
    // Degenerate cases consume nothing.
    CounterRng copy = fresh;
    EXPECT_EQ(rng.next_u32(), copy.next_u32());
}

// ---------------------------------------------------------------------------
// Gamma draws.

/// CDF of Gamma(5, rate): regularised lower incomplete gamma P(5, rate x) =
/// 1 - exp(-y) sum_{j<5} y^j / j! for integer shape 5.
double gamma5_cdf(double x, double rate)
{
    if (x <= 0.0)
        return 0.0;
    const double y = rate * x;
    double term = 1.0, sum = 1.0;
    for (int j = 1; j < 5; ++j) {
        term *= y / j;
        sum += term;
    }
    return 1.0 - std::exp(-y) * sum;
}

TEST(CounterRngGamma, ShapeFiveRateFive)
{
    // The DTB per-neuron heterogeneity: mean 1, variance 0.2.
    constexpr int n = 1000000;
    std::vector<double> g(n);
    for (int i = 0; i < n; ++i) {
        CounterRng rng(kSeed, RngPurpose::heterogeneity, static_cast<std::uint64_t>(i), 0);
        g[static_cast<std::size_t>(i)] = rng.gamma(5.0, 5.0);
    }
    // Gamma(k, theta): var k theta^2, mu4 = 3 k (k + 2) theta^4.
    const double theta = 0.2;
    expect_moments(g, 1.0, 0.2, 3.0 * 5.0 * 7.0 * std::pow(theta, 4), "gamma(5, 5)");
    g.resize(100000);
    EXPECT_GT(ks_p_value(g, [](double x) { return gamma5_cdf(x, 5.0); }), kMinPValue)
        << "KS against Gamma(5, 5)";
}

TEST(CounterRngGamma, ShapeBelowOne)
{
    // Gamma(0.5, rate 2): mean 0.25, var 0.125; CDF P(1/2, 2x) = erf(sqrt(2x)).
    constexpr int n = 1000000;
    std::vector<double> g(n);
    CounterRng rng(kSeed, RngPurpose::heterogeneity, 5, 1);
    for (auto& v : g) {
        v = rng.gamma(0.5, 2.0);
        ASSERT_GE(v, 0.0);
    }
    const double theta = 0.5;
    expect_moments(g, 0.25, 0.125, 3.0 * 0.5 * 2.5 * std::pow(theta, 4), "gamma(0.5, 2)");
    g.resize(100000);
    EXPECT_GT(ks_p_value(g, [](double x) { return x <= 0.0 ? 0.0 : std::erf(std::sqrt(2.0 * x)); }),
              kMinPValue) << "KS against Gamma(0.5, 2)";
}

TEST(CounterRngGamma, InvalidParametersGiveNaN)
{
    CounterRng rng(kSeed, RngPurpose::heterogeneity, 0, 0);
    EXPECT_TRUE(std::isnan(rng.gamma(0.0, 1.0)));
    EXPECT_TRUE(std::isnan(rng.gamma(-1.0, 1.0)));
    EXPECT_TRUE(std::isnan(rng.gamma(1.0, 0.0)));
    EXPECT_TRUE(std::isnan(rng.gamma(std::nan(""), 1.0)));
}

} // namespace

// ---------------------------------------------------------------------------
// Kernels draw exactly what the host draws. The kernel code lives in a named
// namespace at file scope: nvcc's extended lambdas must not sit in a TEST
// body (a class member) and are safest outside anonymous namespaces.

namespace dtb_test_counter_rng {

using dtb::sim::CounterRng;
using dtb::sim::RngPurpose;

/// Parameters cycle through every sampler branch: Poisson inversion and
/// PTRS, binomial inversion, mirrored and BTPE, gamma with shape < 1.
KOKKOS_INLINE_FUNCTION double kernel_case_mean(int i)
{
    switch (i % 8) {
    case 0: return 0.0;
    case 1: return 0.3;
    case 2: return 4.2;
    case 3: return 9.99;
    case 4: return 10.0;
    case 5: return 73.5;
    case 6: return 2.5e4;
    default: return 3.0e9;
    }
}

KOKKOS_INLINE_FUNCTION void kernel_case_binomial(int i, std::uint64_t& n, double& p)
{
    switch (i % 6) {
    case 0: n = 10; p = 0.5; break;
    case 1: n = 100; p = 0.01; break;
    case 2: n = 200; p = 0.95; break;
    case 3: n = 1000; p = 0.3; break;
    case 4: n = 1000000; p = 0.7; break;
    default: n = 1000000000000ull; p = 1e-3; break;
    }
}

constexpr int kKernelInts = 4;
constexpr int kKernelReals = 3;

/// The draws of case i, in a fixed order on one stream (so later draws also
/// check how many numbers the earlier ones consumed).
KOKKOS_INLINE_FUNCTION void draw_kernel_case(std::uint64_t seed, int i, std::uint64_t* ints, double* reals)
{
    CounterRng rng(seed, RngPurpose::poisson_input, static_cast<std::uint64_t>(i), 11);
    std::uint64_t n;
    double p;
    kernel_case_binomial(i, n, p);
    ints[0] = rng.poisson(kernel_case_mean(i));
    reals[0] = rng.normal();
    ints[1] = rng.binomial(n, p);
    reals[1] = rng.gamma(i % 2 == 0 ? 5.0 : 0.5, 5.0);
    ints[2] = rng.poisson(kernel_case_mean(i + 3));
    ints[3] = rng.uniform_int(1000003);
    reals[2] = rng.normal();
}

template <class ExecSpace>
void draw_kernel_cases(std::uint64_t seed, Kokkos::View<std::uint64_t**, Kokkos::LayoutRight, ExecSpace> ints,
                       Kokkos::View<double**, Kokkos::LayoutRight, ExecSpace> reals)
{
    Kokkos::parallel_for(
        "test_counter_rng::draw_kernel_cases",
        Kokkos::RangePolicy<ExecSpace>(0, static_cast<int>(ints.extent(0))), KOKKOS_LAMBDA(const int i) {
            std::uint64_t local_ints[kKernelInts];
            double local_reals[kKernelReals];
            draw_kernel_case(seed, i, local_ints, local_reals);
            for (int j = 0; j < kKernelInts; ++j)
                ints(i, j) = local_ints[j];
            for (int j = 0; j < kKernelReals; ++j)
                reals(i, j) = local_reals[j];
        });
    Kokkos::fence();
}

} // namespace dtb_test_counter_rng

namespace {

using dtb_test_counter_rng::draw_kernel_case;
using dtb_test_counter_rng::draw_kernel_cases;
using dtb_test_counter_rng::kKernelInts;
using dtb_test_counter_rng::kKernelReals;

template <class ExecSpace>
void expect_kernel_matches_host(const char* space_name)
{
    constexpr int cases = 4800;
    Kokkos::View<std::uint64_t**, Kokkos::LayoutRight, ExecSpace> ints("ints", cases, kKernelInts);
    Kokkos::View<double**, Kokkos::LayoutRight, ExecSpace> reals("reals", cases, kKernelReals);
    draw_kernel_cases<ExecSpace>(kSeed, ints, reals);
    const auto host_ints = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ints);
    const auto host_reals = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), reals);

    // Host execution spaces run the same machine code: bitwise equality of
    // everything. A GPU's exp/log/cos differ from glibc's by an ulp (and
    // nvcc contracts to FMA), so there real values get 1e-12 relative;
    // integer draws must still agree exactly.
    constexpr bool host_space = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
    int mismatches = 0;
    for (int i = 0; i < cases; ++i) {
        std::uint64_t expected_ints[kKernelInts];
        double expected_reals[kKernelReals];
        draw_kernel_case(kSeed, i, expected_ints, expected_reals);
        for (int j = 0; j < kKernelInts; ++j)
            if (host_ints(i, j) != expected_ints[j] && ++mismatches < 10)
                ADD_FAILURE() << space_name << " case " << i << " int " << j << ": kernel "
                              << host_ints(i, j) << " host " << expected_ints[j];
        for (int j = 0; j < kKernelReals; ++j) {
            const double got = host_reals(i, j), want = expected_reals[j];
            const bool same = host_space ? std::memcmp(&got, &want, sizeof(double)) == 0
                                         : std::fabs(got - want) <= 1e-12 * std::max(1.0, std::fabs(want));
            if (!same && ++mismatches < 10)
                ADD_FAILURE() << space_name << " case " << i << " real " << j << ": kernel " << got
                              << " host " << want;
        }
    }
    EXPECT_EQ(mismatches, 0) << space_name;
}

TEST(CounterRngKernel, KernelDrawsEqualHostDraws)
{
    expect_kernel_matches_host<Kokkos::DefaultExecutionSpace>(Kokkos::DefaultExecutionSpace::name());
    if (!std::is_same<Kokkos::DefaultExecutionSpace, Kokkos::DefaultHostExecutionSpace>::value)
        expect_kernel_matches_host<Kokkos::DefaultHostExecutionSpace>(
            Kokkos::DefaultHostExecutionSpace::name());
}

} // namespace
