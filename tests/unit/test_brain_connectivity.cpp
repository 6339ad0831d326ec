// Region connectivity files (TVB directory, CSV) and the long-range voxel
// connectivity built from them or from the exponential distance rule.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "sim/brain/distance_rule_connectivity.hpp"
#include "sim/brain/region_connectivity.hpp"
#include "sim/brain/region_to_voxel_connectivity.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::brain {
namespace {

std::string error_of(const std::string& path)
{
    try {
        read_region_connectivity(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

void write_tvb(const test::TempDirectory& dir, const std::string& weights, const std::string& tracts,
    const std::string& centres)
{
    test::write_text_file(dir.file("weights.txt"), weights);
    if (!tracts.empty())
        test::write_text_file(dir.file("tract_lengths.txt"), tracts);
    test::write_text_file(dir.file("centres.txt"), centres);
}

TEST(BrainRegionConnectivity, ReadsTvbDirectories)
{
    test::TempDirectory dir;
    write_tvb(dir, "0 1 2\n3 0.5 0\n\n1e-3 4 5\n", "0 10 20\n10 0 30\n20 30 0\n",
        "rA1 1.5 -2 3\nrA2 0 0 0\n  lB 10 20 30\n");
    const RegionConnectivity c = read_region_connectivity(dir.path());
    EXPECT_EQ(c.format, "tvb");
    EXPECT_EQ(c.labels, (std::vector<std::string> { "rA1", "rA2", "lB" }));
    EXPECT_EQ(c.weights, (std::vector<double> { 0, 1, 2, 3, 0.5, 0, 1e-3, 4, 5 }));
    EXPECT_EQ(c.tract_lengths_mm, (std::vector<double> { 0, 10, 20, 10, 0, 30, 20, 30, 0 }));
    EXPECT_EQ(c.centres_mm, (std::vector<double> { 1.5, -2, 3, 0, 0, 0, 10, 20, 30 }));
}

TEST(BrainRegionConnectivity, ReadsLabelledCsv)
{
    test::TempDirectory dir;
    test::write_text_file(dir.file("m.csv"), "target\\source, 4, 8,15\n4,0,1,2\n8, 0.5,0,0\n15,1,1,0\n");
    const RegionConnectivity c = read_region_connectivity(dir.file("m.csv"));
    EXPECT_EQ(c.format, "csv");
    EXPECT_EQ(c.labels, (std::vector<std::string> { "4", "8", "15" }));
    EXPECT_EQ(c.weights, (std::vector<double> { 0, 1, 2, 0.5, 0, 0, 1, 1, 0 }));
    EXPECT_TRUE(c.tract_lengths_mm.empty());
}

TEST(BrainRegionConnectivity, BadFilesGiveClearErrors)
{
    test::TempDirectory dir;
    const auto check = [&](const std::string& path, const std::string& expected) {
        const std::string message = error_of(path);
        EXPECT_NE(message.find("--connectivity " + path), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << "expected '" << expected << "' in: " << message;
    };
    test::write_text_file(dir.file("nonsquare.csv"), "x,1,2\n1,0,1\n2,1\n");
    check(dir.file("nonsquare.csv"), "has 1 values; allowed: 2");
    test::write_text_file(dir.file("rows.csv"), "x,1,2\n2,0,1\n1,1,0\n");
    check(dir.file("rows.csv"), "row label '2' differs from column label 1 '1'");
    test::write_text_file(dir.file("nan.csv"), "x,1,2\n1,0,nan\n2,1,0\n");
    check(dir.file("nan.csv"), "weight row 1 ('1'), column 2 ('2') is nan; allowed: finite and >= 0");
    test::write_text_file(dir.file("negative.csv"), "x,1,2\n1,0,1\n2,-1,0\n");
    check(dir.file("negative.csv"), "is -1.000000; allowed: finite and >= 0");
    test::write_text_file(dir.file("duplicate.csv"), "x,1,1\n1,0,1\n1,1,0\n");
    check(dir.file("duplicate.csv"), "label '1' appears twice");
    test::write_text_file(dir.file("word.csv"), "x,1,2\n1,0,abc\n2,1,0\n");
    check(dir.file("word.csv"), "'abc' is not a number");
    test::write_text_file(dir.file("one.csv"), "x,1\n1,0\n");
    check(dir.file("one.csv"), "has 1 regions; allowed: at least 2");
    test::write_text_file(dir.file("c.zip"), "PK");
    check(dir.file("c.zip"), "unpack it");
    test::write_text_file(dir.file("c.mat"), "");
    check(dir.file("c.mat"), "unknown connectivity format");
    check(dir.file("absent.csv"), "cannot open");

    test::TempDirectory tvb;
    write_tvb(tvb, "0 1\n1 0\n", "", "a 0 0 0\nb 1 1 1\nc 2 2 2\n");
    const std::string size_message = error_of(tvb.path());
    EXPECT_NE(size_message.find("has 2 rows; allowed: 3"), std::string::npos) << size_message;
    test::TempDirectory no_centres;
    test::write_text_file(no_centres.file("weights.txt"), "0 1\n1 0\n");
    EXPECT_NE(error_of(no_centres.path()).find("centres.txt"), std::string::npos);
    test::TempDirectory bad_tracts;
    write_tvb(bad_tracts, "0 1\n1 0\n", "0 -5\n5 0\n", "a 0 0 0\nb 1 1 1\n");
    EXPECT_NE(error_of(bad_tracts.path()).find("tract length row 1"), std::string::npos) << error_of(bad_tracts.path());
}

// Five voxels on the x axis in three regions; region 2 has one voxel.
struct RegionLayout {
    std::vector<std::size_t> region_of_voxel { 0, 0, 1, 1, 2 };
    std::vector<double> centre_mm { 0, 0, 0, 3, 0, 0, 30, 0, 0, 33, 0, 0, 60, 0, 0 };
    std::vector<std::uint64_t> count_e { 100, 300, 200, 200, 50 };
    // Row = target region, column = source region; the diagonal must be ignored.
    std::vector<double> weights { 9, 1, 3, 2, 9, 2, 0, 0, 5 };
    std::vector<double> tracts { 0, 40, 90, 40, 0, 45, 90, 45, 0 };
};

TEST(BrainRegionToVoxel, RowsFollowTheRegionRowSplitByExcitatoryNeurons)
{
    const RegionLayout l;
    ConnectivitySettings settings;
    settings.velocity_m_per_s = 2.0;
    const VoxelConnectivity c
        = map_region_connectivity(l.region_of_voxel, 3, l.weights, l.tracts, l.centre_mm, l.count_e, settings);
    ASSERT_EQ(c.row_ptr.size(), 6u);
    std::vector<double> excitatory_of_region { 400, 400, 50 };
    for (std::size_t v = 0; v < 5; ++v) {
        const std::size_t r = l.region_of_voxel[v];
        double row_sum = 0, regional_weight = 0;
        for (std::size_t s = 0; s < 3; ++s)
            if (s != r)
                regional_weight += l.weights[3 * r + s];
        for (std::uint64_t k = c.row_ptr[v]; k < c.row_ptr[v + 1]; ++k) {
            const std::uint32_t u = c.source[k];
            const std::size_t s = l.region_of_voxel[u];
            EXPECT_NE(s, r) << "same-region source in row " << v;
            const double expected
                = l.weights[3 * r + s] / regional_weight * double(l.count_e[u]) / excitatory_of_region[s];
            EXPECT_NEAR(c.weight[k], expected, 1e-12) << "row " << v << " source " << u;
            EXPECT_DOUBLE_EQ(c.delay_ms[k], l.tracts[3 * r + s] / 2.0);
            row_sum += c.weight[k];
        }
        // Region 2 receives nothing from regions 0 and 1: an empty row.
        if (r == 2)
            EXPECT_EQ(c.row_ptr[v + 1], c.row_ptr[v]);
        else
            EXPECT_NEAR(row_sum, 1.0, 1e-12);
    }
    // Row of voxel 0: region 1 (voxels 2, 3) weight 1/4, region 2 (voxel 4) 3/4.
    EXPECT_EQ(std::vector<std::uint32_t>(c.source.begin() + c.row_ptr[0], c.source.begin() + c.row_ptr[1]),
        (std::vector<std::uint32_t> { 2, 3, 4 }));
    EXPECT_EQ(c.truncated_rows, 0u);
    EXPECT_EQ(c.delays_from_distance, 0u);
}

TEST(BrainRegionToVoxel, WithoutTractLengthsDelaysAreCentreDistanceOverVelocity)
{
    const RegionLayout l;
    ConnectivitySettings settings;
    settings.velocity_m_per_s = 3.0;
    const VoxelConnectivity c
        = map_region_connectivity(l.region_of_voxel, 3, l.weights, {}, l.centre_mm, l.count_e, settings);
    for (std::size_t v = 0; v < 5; ++v)
        for (std::uint64_t k = c.row_ptr[v]; k < c.row_ptr[v + 1]; ++k)
            EXPECT_DOUBLE_EQ(c.delay_ms[k], std::fabs(l.centre_mm[3 * c.source[k]] - l.centre_mm[3 * v]) / 3.0);
    EXPECT_EQ(c.delays_from_distance, c.source.size());
}

TEST(BrainRegionToVoxel, TruncatedRowsKeepTheRegionSharesExactly)
{
    // 2 regions of 1 and 40 voxels plus a third region of 10; rows of region
    // 0 are limited to 5 sources.
    std::vector<std::size_t> region_of_voxel { 0 };
    std::vector<double> centre_mm { 0, 0, 0 };
    std::vector<std::uint64_t> count_e { 100 };
    for (int i = 0; i < 40; ++i) {
        region_of_voxel.push_back(1);
        centre_mm.insert(centre_mm.end(), { 10.0 + i, 0, 0 });
        count_e.push_back(100 + i);
    }
    for (int i = 0; i < 10; ++i) {
        region_of_voxel.push_back(2);
        centre_mm.insert(centre_mm.end(), { -10.0 - i, 0, 0 });
        count_e.push_back(90);
    }
    const std::vector<double> weights { 0, 3, 1, 1, 0, 1, 1, 1, 0 };
    ConnectivitySettings settings;
    settings.max_sources = 5;
    const VoxelConnectivity c = map_region_connectivity(region_of_voxel, 3, weights, {}, centre_mm, count_e, settings);
    EXPECT_EQ(c.truncated_rows, 51u);
    double share[3] = { 0, 0, 0 };
    for (std::uint64_t k = c.row_ptr[0]; k < c.row_ptr[1]; ++k)
        share[region_of_voxel[c.source[k]]] += c.weight[k];
    EXPECT_EQ(c.row_ptr[1] - c.row_ptr[0], 5u);
    EXPECT_NEAR(share[1], 0.75, 1e-12);
    EXPECT_NEAR(share[2], 0.25, 1e-12);
    EXPECT_NEAR(c.kept_weight_fraction, 1.0, 1e-12);
    // The target voxels of region 1 together draw on many voxels of region 2.
    std::set<std::uint32_t> used;
    for (std::size_t v = 1; v <= 40; ++v)
        for (std::uint64_t k = c.row_ptr[v]; k < c.row_ptr[v + 1]; ++k)
            if (region_of_voxel[c.source[k]] == 2)
                used.insert(c.source[k]);
    EXPECT_EQ(used.size(), 10u);
}

TEST(BrainDistanceRule, WeightsAreProportionalToNeuronsTimesExpOfMinusLambdaDistance)
{
    // Voxels at irregular positions with different E counts; no truncation.
    const std::vector<double> centre_mm { 0, 0, 0, 6, 0, 0, 0, 12, 0, 30, 40, 0, -5, -5, 5, 100, 0, 0 };
    const std::vector<std::uint64_t> count_e { 80, 160, 120, 80, 200, 40 };
    const double lambda = 0.1;
    ConnectivitySettings settings;
    settings.velocity_m_per_s = 3.0;
    settings.max_sources = 10;
    const VoxelConnectivity c = exponential_distance_rule(centre_mm, count_e, lambda, settings);
    const auto distance = [&](std::size_t a, std::size_t b) {
        double sum = 0;
        for (int axis = 0; axis < 3; ++axis)
            sum += std::pow(centre_mm[3 * a + axis] - centre_mm[3 * b + axis], 2);
        return std::sqrt(sum);
    };
    for (std::size_t v = 0; v < count_e.size(); ++v) {
        ASSERT_EQ(c.row_ptr[v + 1] - c.row_ptr[v], count_e.size() - 1);
        double norm = 0;
        for (std::size_t u = 0; u < count_e.size(); ++u)
            if (u != v)
                norm += double(count_e[u]) * std::exp(-lambda * distance(v, u));
        for (std::uint64_t k = c.row_ptr[v]; k < c.row_ptr[v + 1]; ++k) {
            const std::uint32_t u = c.source[k];
            EXPECT_NE(u, v);
            EXPECT_NEAR(c.weight[k], double(count_e[u]) * std::exp(-lambda * distance(v, u)) / norm, 1e-12);
            EXPECT_NEAR(c.delay_ms[k], distance(v, u) / 3.0, 1e-12);
        }
    }
    EXPECT_EQ(c.truncated_rows, 0u);
    EXPECT_NEAR(c.kept_weight_fraction, 1.0, 1e-12);
}

TEST(BrainDistanceRule, TruncationKeepsTheStrongestSourcesAndRaisesShortDelays)
{
    // A line of equal voxels 1 mm apart: the strongest sources are the nearest.
    std::vector<double> centre_mm;
    for (int i = 0; i < 50; ++i)
        centre_mm.insert(centre_mm.end(), { double(i) * 0.2, 0, 0 });
    const std::vector<std::uint64_t> count_e(50, 100);
    ConnectivitySettings settings;
    settings.max_sources = 4;
    settings.velocity_m_per_s = 3.0;
    settings.min_delay_ms = 0.1;
    const VoxelConnectivity c = exponential_distance_rule(centre_mm, count_e, 0.2, settings);
    EXPECT_EQ(c.truncated_rows, 50u);
    EXPECT_LT(c.kept_weight_fraction, 1.0);
    // Row 10 keeps 8, 9, 11, 12; row 0 keeps 1..4 (ties would go to the lower index).
    EXPECT_EQ(std::vector<std::uint32_t>(c.source.begin() + c.row_ptr[10], c.source.begin() + c.row_ptr[11]),
        (std::vector<std::uint32_t> { 8, 9, 11, 12 }));
    EXPECT_EQ(std::vector<std::uint32_t>(c.source.begin() + c.row_ptr[0], c.source.begin() + c.row_ptr[1]),
        (std::vector<std::uint32_t> { 1, 2, 3, 4 }));
    for (double d : c.delay_ms)
        EXPECT_GE(d, 0.1);
    EXPECT_DOUBLE_EQ(c.delay_ms[c.row_ptr[10]], 0.4 / 3.0); // 0.4 mm at 3 m/s = 0.133 ms
    EXPECT_DOUBLE_EQ(c.delay_ms[c.row_ptr[10] + 1], 0.1);   // 0.2 mm -> 0.067 ms, raised to 0.1
}

} // namespace
} // namespace dtb::brain
