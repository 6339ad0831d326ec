// The compact encodings of weights and delays in the synapse store.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/fixed_point.hpp"
#include "sim/synapse_value_codec.hpp"

namespace dtb::sim {
namespace {

TEST(DelayCodec, NarrowRangesAreExact)
{
    const DelayCodec codec = DelayCodec::for_step_range(3, 200);
    EXPECT_EQ(codec.steps_per_code, 1u);
    for (std::uint32_t d = 3; d <= 200; ++d)
        ASSERT_EQ(codec.base_steps + codec.encode(d) * codec.steps_per_code, d);
}

TEST(DelayCodec, WideRangesRoundToTheCodeUnitAndStayWithinMaxSteps)
{
    // 1..700 steps (0.1..70 ms at dt 0.1): 699 steps of span need 3 steps per code.
    const DelayCodec codec = DelayCodec::for_step_range(1, 700);
    EXPECT_EQ(codec.steps_per_code, 3u);
    EXPECT_GE(codec.max_steps, 700u);
    for (std::uint32_t d = 1; d <= 700; ++d) {
        const std::uint32_t decoded = codec.base_steps + codec.encode(d) * codec.steps_per_code;
        ASSERT_LE(decoded, codec.max_steps) << d;
        ASSERT_LE(std::abs(static_cast<int>(decoded) - static_cast<int>(d)), 1) << d;
    }
}

TEST(DelayCodec, DistributionsWiderThan256StepsAreRejected)
{
    v1::Distribution d;
    d.set_kind("uniform");
    d.set_low(0.1);
    d.set_high(40.0);
    EXPECT_THROW(DelayCodec::for_distribution(d, 0.1), std::invalid_argument);
}

TEST(WeightCodec, ConstantWeightsAreExact)
{
    v1::Distribution w;
    w.set_kind("constant");
    w.set_value(87.81);
    const WeightCodec codec = WeightCodec::for_distribution(w);
    EXPECT_NEAR(codec.decode(0), 87.81, 1e-9);
}

TEST(WeightCodec, DrawnCodesFollowTheTruncatedNormal)
{
    v1::Distribution w;
    w.set_kind("normal");
    w.set_mean(1.0);
    w.set_std(1.0); // truncated at 0: mean of the truncated normal is 1 + phi(1)/Phi(1)
    const WeightCodec codec = WeightCodec::for_distribution(w);
    CounterRng rng(3, RngPurpose::weight, 0, 0);
    const int n = 400000;
    double sum = 0, sum2 = 0, min = 1e9;
    for (int i = 0; i < n; ++i) {
        const double x = codec.decode(codec.draw(rng));
        sum += x;
        sum2 += x * x;
        min = std::min(min, x);
    }
    const double phi = std::exp(-0.5) / std::sqrt(2 * M_PI), Phi = 0.5 * std::erfc(-1.0 / std::sqrt(2.0));
    const double mean = 1.0 + phi / Phi;
    const double lambda = phi / Phi;
    const double var = 1.0 - lambda - lambda * lambda; // 1 + a*lambda - lambda^2 with a = -1
    EXPECT_GE(min, 0.0);
    EXPECT_NEAR(sum / n, mean, 5 * std::sqrt(var / n));
    EXPECT_NEAR(sum2 / n - (sum / n) * (sum / n), var, 0.01);
}

v1::Distribution distribution(const std::string& kind, double a, double b)
{
    v1::Distribution d;
    d.set_kind(kind);
    if (kind == "normal") {
        d.set_mean(a);
        d.set_std(b);
    } else if (kind == "uniform") {
        d.set_low(a);
        d.set_high(b);
    } else if (kind == "gamma") {
        d.set_shape(a);
        d.set_rate(b);
    } else {
        d.set_value(a);
    }
    return d;
}

// The batched draw of a target's synapse codes gives exactly the codes of
// the one-by-one weight/delay draws from the same stream, for every mix of
// table-drawn, gamma and constant values, across batch boundaries.
TEST(SynapseCodes, BatchedDrawEqualsPairwiseDraws)
{
    const std::vector<std::pair<v1::Distribution, v1::Distribution>> cases = {
        {distribution("normal", 87.8, 8.8), distribution("normal", 1.5, 0.75)},
        {distribution("normal", -351.2, 35.1), distribution("constant", 0.8, 0)},
        {distribution("constant", 87.8, 0), distribution("uniform", 0.8, 2.2)},
        {distribution("gamma", 5.0, 5.0), distribution("normal", 1.5, 0.75)},
    };
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const WeightCodec weights = WeightCodec::for_distribution(cases[c].first);
        const DelayCodec delays = DelayCodec::for_distribution(cases[c].second, 0.1);
        for (const std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(255), std::size_t(1000)}) {
            CounterRng pairwise_rng(7, RngPurpose::weight, 42, 3);
            std::vector<std::uint16_t> expected_weights(n);
            std::vector<std::uint8_t> expected_delays(n);
            for (std::size_t k = 0; k < n; ++k) {
                expected_weights[k] = weights.draw(pairwise_rng);
                expected_delays[k] = delays.draw(pairwise_rng);
            }
            CounterRng batched_rng(7, RngPurpose::weight, 42, 3);
            std::vector<std::uint16_t> weight_codes(n);
            std::vector<std::uint8_t> delay_codes(n);
            draw_synapse_codes(weights, delays, batched_rng, n, weight_codes.data(), delay_codes.data());
            EXPECT_EQ(weight_codes, expected_weights) << "case " << c << ", n " << n;
            EXPECT_EQ(delay_codes, expected_delays) << "case " << c << ", n " << n;
            // Both consumed the same words: the streams continue alike.
            EXPECT_EQ(batched_rng.next_u32(), pairwise_rng.next_u32()) << "case " << c << ", n " << n;
        }
    }
}

} // namespace
} // namespace dtb::sim
