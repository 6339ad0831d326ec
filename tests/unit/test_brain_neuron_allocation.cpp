// Neurons per voxel proportional to grey matter with the total preserved,
// E:I = 4:1 per voxel, in-degree shares, and K_v from a density map.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "sim/brain/neuron_allocation.hpp"
#include "sim/brain/proportional_allocation.hpp"
#include "sim/brain/synaptic_density.hpp"

namespace dtb::brain {
namespace {

TEST(BrainNeuronAllocation, LargestRemainderIsExactUpToRoundingAndKeepsTheTotal)
{
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> uniform(0.0, 1000.0);
    for (const std::uint64_t total : { std::uint64_t(1), std::uint64_t(977), std::uint64_t(100000),
             std::uint64_t(10000000), std::uint64_t(1) << 40 }) {
        std::vector<double> weights(513);
        for (auto& w : weights)
            w = uniform(random);
        weights[3] = 0;
        const auto counts = largest_remainder(total, weights);
        const double sum_w = std::accumulate(weights.begin(), weights.end(), 0.0);
        EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::uint64_t(0)), total);
        for (std::size_t v = 0; v < weights.size(); ++v) {
            const double quota = double(total) * weights[v] / sum_w;
            EXPECT_LT(std::fabs(double(counts[v]) - quota), 1.0 + 1e-6 * quota) << "voxel " << v;
        }
        EXPECT_EQ(counts[3], 0u);
    }
    // Equal remainders go to the lower index.
    EXPECT_EQ(largest_remainder(2, { 1, 1, 1 }), (std::vector<std::uint64_t> { 1, 1, 0 }));
    EXPECT_THROW(largest_remainder(5, { 0, 0 }), std::invalid_argument);
    EXPECT_THROW(largest_remainder(5, { 1, -1 }), std::invalid_argument);
}

TEST(BrainNeuronAllocation, ExcitatoryShareIsFourFifthsRounded)
{
    for (std::uint64_t n = 0; n < 2000; ++n) {
        const std::uint64_t e = excitatory_share(n);
        EXPECT_LE(std::fabs(double(e) - 0.8 * double(n)), 0.5) << n;
    }
    EXPECT_EQ(excitatory_share(100), 80u);
    EXPECT_EQ(excitatory_share(101), 81u); // 80.8
    EXPECT_EQ(excitatory_share(103), 82u); // 82.4
}

TEST(BrainNeuronAllocation, InDegreeSplitsIntoFourOneTwoSevenths)
{
    const InDegreeSplit k100 = split_indegree(100);
    EXPECT_EQ(k100.local_e, 57u);
    EXPECT_EQ(k100.local_i, 14u);
    EXPECT_EQ(k100.long_range, 29u);
    for (std::uint32_t k = 1; k < 2000; ++k) {
        const InDegreeSplit s = split_indegree(k);
        EXPECT_EQ(s.local_e + s.local_i + s.long_range, k);
        EXPECT_LT(std::fabs(s.local_e - 4.0 * k / 7), 1.0);
        EXPECT_LT(std::fabs(s.local_i - 1.0 * k / 7), 1.0);
        EXPECT_LT(std::fabs(s.long_range - 2.0 * k / 7), 1.0);
    }
    // Enough E for 57 sources without autapse, enough I for 14.
    const std::uint64_t n = minimum_neurons_for(100);
    EXPECT_GE(excitatory_share(n), 58u);
    EXPECT_GE(n - excitatory_share(n), 15u);
    EXPECT_TRUE(excitatory_share(n - 1) < 58u || n - 1 - excitatory_share(n - 1) < 15u);
}

TEST(BrainNeuronAllocation, CountsFollowGreyMatterWithTheTotalPreserved)
{
    const std::vector<double> grey = { 27, 13.5, 26, 27, 8.25, 27, 19 };
    const std::vector<std::uint32_t> indegree(grey.size(), 100);
    const std::uint64_t total = 100003;
    const NeuronAllocation a = allocate_neurons(total, grey, indegree);
    EXPECT_EQ(a.num_dropped, 0u);
    const double sum_grey = std::accumulate(grey.begin(), grey.end(), 0.0);
    std::uint64_t sum = 0;
    for (std::size_t v = 0; v < grey.size(); ++v) {
        const std::uint64_t n = a.count_e[v] + a.count_i[v];
        sum += n;
        EXPECT_LT(std::fabs(double(n) - double(total) * grey[v] / sum_grey), 1.0) << "voxel " << v;
        EXPECT_EQ(a.count_e[v], excitatory_share(n)) << "voxel " << v;
    }
    EXPECT_EQ(sum, total);
}

TEST(BrainNeuronAllocation, VoxelsTooSmallForTheirInDegreeAreDroppedAndTheRestRescaled)
{
    // At 1000 neurons the last voxel's share (about 6) cannot hold 57 + 1 E.
    const std::vector<double> grey = { 100, 60, 1 };
    const NeuronAllocation a = allocate_neurons(1000, grey, { 100, 100, 100 });
    EXPECT_EQ(a.num_dropped, 1u);
    EXPECT_FALSE(a.kept[2]);
    EXPECT_EQ(a.count_e[2] + a.count_i[2], 0u);
    EXPECT_DOUBLE_EQ(a.dropped_grey_matter, 1);
    EXPECT_EQ(a.count_e[0] + a.count_i[0] + a.count_e[1] + a.count_i[1], 1000u);
    EXPECT_EQ(a.count_e[0] + a.count_i[0], 625u); // 1000 x 100/160
    // Too few neurons for most of the grey matter: a clear error.
    try {
        allocate_neurons(100, { 1, 1, 1 }, { 100, 100, 100 });
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("--neurons 100"), std::string::npos) << message;
        EXPECT_NE(message.find("--regions"), std::string::npos) << message;
    }
}

TEST(BrainSynapticDensity, InDegreeScalesWithDensityRelativeToTheGreyMatterMeanWithinBounds)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Reference = (1 x 1 + 1 x 2 + 2 x 0.5 + 1 x 1.0) / 5 = 1 (the NaN voxel is left out).
    const std::vector<double> density = { 1.0, 2.0, 0.5, 1.0, nan, 1.1, 0.9 };
    const std::vector<double> grey = { 1, 1, 2, 1, 3, 0, 0 };
    const InDegreeScaling s = scale_indegree_by_density(100, density, grey, "pet.nii");
    EXPECT_DOUBLE_EQ(s.reference, 1.0);
    EXPECT_EQ(s.lower_bound, 70u);
    EXPECT_EQ(s.upper_bound, 130u);
    EXPECT_EQ(s.indegree, (std::vector<std::uint32_t> { 100, 130, 70, 100, 100, 110, 90 }));
    EXPECT_EQ(s.clamped_high, 1u);
    EXPECT_EQ(s.clamped_low, 1u);
    EXPECT_EQ(s.without_density, 1u);
    EXPECT_DOUBLE_EQ(s.relative_density[1], 2.0);
    EXPECT_DOUBLE_EQ(s.relative_density[4], 1.0);
    // Scaling a reference-normalised map does not change K_v.
    std::vector<double> scaled = density;
    for (auto& d : scaled)
        d *= 37.5;
    EXPECT_EQ(scale_indegree_by_density(100, scaled, grey, "pet.nii").indegree, s.indegree);
    // Without a map: K everywhere, density 1.
    const InDegreeScaling none = scale_indegree_by_density(100, {}, grey, "");
    EXPECT_EQ(none.indegree, std::vector<std::uint32_t>(grey.size(), 100));
    EXPECT_EQ(none.relative_density, std::vector<double>(grey.size(), 1.0));
    // K = 1000: bounds [700, 1300].
    const InDegreeScaling big = scale_indegree_by_density(1000, { 0.1, 5.0, 1.0 }, { 1, 0, 1 }, "pet.nii");
    EXPECT_EQ(big.lower_bound, 700u);
    EXPECT_EQ(big.upper_bound, 1300u);
    EXPECT_THROW(scale_indegree_by_density(100, { 0.0, nan }, { 1, 1 }, "pet.nii"), std::runtime_error);
}

} // namespace
} // namespace dtb::brain
