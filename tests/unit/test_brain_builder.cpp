// dtb build-brain end to end in memory (build_brain) and on disk
// (write_brain_bundle), on a synthetic atlas with a TVB connectome, and on
// the real AAL atlas from Debian's mricron-data when it is installed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "sim/brain/brain_builder.hpp"
#include "sim/brain/brain_bundle_writer.hpp"
#include "sim/brain/neuron_allocation.hpp"
#include "sim/brain_arrays.hpp"
#include "sim/model_loader.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::brain {
namespace {

namespace fs = std::filesystem;

// 12^3 voxels of 1 mm at world x = i - 3: cubes of 6 mm centred on 0 and 6
// per axis, 8 cubes of 216 voxels. Label 1 + (x >= 3) + 2 (y >= 3): four
// regions of two cubes each (z). The slab z = 8 of label 4 is background, so
// label 4's upper cube has less grey matter.
std::int64_t synthetic_label(double x, double y, double z)
{
    const std::int64_t label = 1 + (x >= 3 ? 1 : 0) + 2 * (y >= 3 ? 1 : 0);
    return label == 4 && z == 8 ? 0 : label;
}

const std::array<double, 12> ATLAS_AFFINE = { 1, 0, 0, -3, 0, 1, 0, -3, 0, 0, 1, -3 };

class BrainBuilderTest : public testing::Test {
protected:
    void SetUp() override
    {
        const NiftiVolume atlas = test::make_volume(12, 12, 12, ATLAS_AFFINE, [](auto i, auto j, auto k) {
            return double(synthetic_label(double(i) - 3, double(j) - 3, double(k) - 3));
        });
        atlas_path = dir.file("atlas.nii.gz");
        write_nifti_volume(atlas_path, atlas, 1, true);
        // TVB connectome over labels 1..4 plus an unused 9; row = target.
        fs::create_directory(dir.file("tvb"));
        test::write_text_file(dir.file("tvb/weights.txt"),
            "5 1 2 3 0.1\n1 5 1 1 0\n0.5 0 5 4 0\n2 2 2 5 1\n1 1 1 1 0\n");
        test::write_text_file(dir.file("tvb/tract_lengths.txt"),
            "0 30 40 50 9\n30 0 35 45 9\n40 35 0 25 9\n50 45 25 0 9\n9 9 9 9 0\n");
        test::write_text_file(dir.file("tvb/centres.txt"), "1 0 0 0\n2 6 0 0\n3 0 6 0\n4 6 6 0\n9 50 50 50\n");
        options.atlas_path = atlas_path;
        options.connectivity_path = dir.file("tvb");
        options.neurons = 4001;
        options.voxel_mm = 6;
        options.velocity_m_per_s = 5;
    }

    std::string error_of(const BrainBuildOptions& o)
    {
        try {
            build_brain(o);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    }

    test::TempDirectory dir;
    std::string atlas_path;
    BrainBuildOptions options;
};

TEST_F(BrainBuilderTest, VoxelModelFollowsTheDtbRules)
{
    const BrainBuild build = build_brain(options);
    const sim::BrainArrays& a = build.arrays;
    ASSERT_EQ(a.num_voxels(), 8u);
    EXPECT_EQ(a.voxel_mm, 6);
    EXPECT_EQ(a.connectivity_kind, "dti");
    EXPECT_EQ(a.velocity_m_per_s, 5);
    // Neurons proportional to grey matter, the total preserved, E:I 4:1.
    const double grey_total = std::accumulate(a.grey_matter.begin(), a.grey_matter.end(), 0.0);
    EXPECT_DOUBLE_EQ(grey_total, 12.0 * 12 * 12 - 36);
    std::uint64_t total = 0;
    for (std::size_t v = 0; v < 8; ++v) {
        const std::uint64_t n = a.count_e[v] + a.count_i[v];
        total += n;
        EXPECT_LT(std::fabs(double(n) - 4001.0 * a.grey_matter[v] / grey_total), 1.0) << "voxel " << v;
        EXPECT_LE(std::fabs(double(a.count_e[v]) - 0.8 * double(n)), 0.5) << "voxel " << v;
        EXPECT_EQ(a.indegree[v], 100u);
        EXPECT_EQ(a.density[v], 1.0);
    }
    EXPECT_EQ(total, 4001u);
    // Long-range rows: the region row without its diagonal, normalised, each
    // source region's share over its voxels by E neurons; delay = tract / v.
    const double w[4][4] = { { 5, 1, 2, 3 }, { 1, 5, 1, 1 }, { 0.5, 0, 5, 4 }, { 2, 2, 2, 5 } };
    const double tract[4][4] = { { 0, 30, 40, 50 }, { 30, 0, 35, 45 }, { 40, 35, 0, 25 }, { 50, 45, 25, 0 } };
    std::map<std::int64_t, double> excitatory_of_label;
    for (std::size_t v = 0; v < 8; ++v)
        excitatory_of_label[a.label[v]] += double(a.count_e[v]);
    for (std::size_t v = 0; v < 8; ++v) {
        const auto r = static_cast<std::size_t>(a.label[v] - 1);
        double off_diagonal = 0;
        for (std::size_t s = 0; s < 4; ++s)
            off_diagonal += s == r ? 0 : w[r][s];
        for (std::uint64_t k = a.row_ptr[v]; k < a.row_ptr[v + 1]; ++k) {
            const std::uint32_t u = a.source[k];
            const auto s = static_cast<std::size_t>(a.label[u] - 1);
            ASSERT_NE(s, r);
            EXPECT_NEAR(a.weight[k], w[r][s] / off_diagonal * double(a.count_e[u]) / excitatory_of_label[a.label[u]],
                1e-12);
            EXPECT_DOUBLE_EQ(a.delay_ms[k], tract[r][s] / 5.0);
        }
    }
    // Region table and the report.
    EXPECT_EQ(a.region_label, (std::vector<std::int64_t> { 1, 2, 3, 4 }));
    const BrainReport& report = build.report;
    EXPECT_EQ(report.neurons, 4001u);
    EXPECT_EQ(report.synapses, 400100u);
    EXPECT_EQ(report.local_excitatory, 4001u * 57);
    EXPECT_EQ(report.local_inhibitory, 4001u * 14);
    EXPECT_EQ(report.long_range, 4001u * 29);
    EXPECT_EQ(report.unused_connectome_labels, (std::vector<std::string> { "9" }));
    EXPECT_DOUBLE_EQ(report.min_delay_ms, 5.0);
    EXPECT_DOUBLE_EQ(report.max_delay_ms, 10.0);
    const std::string text = report.text();
    EXPECT_NE(text.find("8 voxels of 6 mm in 4 atlas regions"), std::string::npos) << text;
    EXPECT_NE(text.find("long-range E     116029 (29.0% = long-range fraction)"), std::string::npos) << text;
    EXPECT_EQ(text.find("STAND-IN"), std::string::npos);
    // The model text names the counts the arrays hold.
    EXPECT_NE(build.model_yaml.find("size: " + std::to_string(report.excitatory)), std::string::npos);
    EXPECT_NE(build.model_yaml.find("fraction: 0.5714285714285714"), std::string::npos);
}

TEST_F(BrainBuilderTest, RegionLevelAndConnectomeLabelsByName)
{
    // Names from the atlas's label table (MRIcron layout) match TVB labels.
    test::write_text_file(dir.file("atlas.nii.txt"), "1 Left_A 2001\n2 Right_A 2002\n3 Left_B 3001\n4 Right_B 3002\n");
    test::write_text_file(dir.file("tvb/centres.txt"),
        "Left_A 0 0 0\nRight_A 6 0 0\nLeft_B 0 6 0\nRight_B 6 6 0\nOther 50 50 50\n");
    options.regions = true;
    const BrainBuild build = build_brain(options);
    const sim::BrainArrays& a = build.arrays;
    ASSERT_EQ(a.num_voxels(), 4u);
    EXPECT_EQ(a.voxel_mm, 0);
    EXPECT_EQ(a.label, (std::vector<std::int64_t> { 1, 2, 3, 4 }));
    EXPECT_EQ(a.region_name, (std::vector<std::string> { "Left_A", "Right_A", "Left_B", "Right_B" }));
    // Region 1's centroid: x, y in [-3, 2], z in [-3, 8].
    EXPECT_DOUBLE_EQ(a.centre_mm[0], -0.5);
    EXPECT_DOUBLE_EQ(a.centre_mm[1], -0.5);
    EXPECT_DOUBLE_EQ(a.centre_mm[2], 2.5);
    // Row of region 3 (index 2): sources 1 and 4 (weight 0 from 2 is left out).
    EXPECT_EQ(std::vector<std::uint32_t>(a.source.begin() + a.row_ptr[2], a.source.begin() + a.row_ptr[3]),
        (std::vector<std::uint32_t> { 0, 3 }));
    EXPECT_NEAR(a.weight[a.row_ptr[2]], 0.5 / 4.5, 1e-12);
}

TEST_F(BrainBuilderTest, WithoutConnectivityTheDistanceRuleStandInIsLabelled)
{
    options.connectivity_path.clear();
    options.lambda_per_mm = 0.05;
    const BrainBuild build = build_brain(options);
    EXPECT_EQ(build.arrays.connectivity_kind, "exponential_distance_rule");
    const std::string text = build.report.text();
    EXPECT_NE(text.find("STAND-IN"), std::string::npos) << text;
    EXPECT_NE(text.find("lambda 0.05"), std::string::npos) << text;
    for (std::size_t v = 0; v < build.arrays.num_voxels(); ++v)
        EXPECT_EQ(build.arrays.row_ptr[v + 1] - build.arrays.row_ptr[v], 7u);
}

TEST_F(BrainBuilderTest, DensityMapScalesTheInDegreeWithinBounds)
{
    // Density 1 for x < 3, 3 beyond: reference = grey-matter mean.
    const NiftiVolume pet = test::make_volume(12, 12, 12, ATLAS_AFFINE,
        [](auto i, auto, auto) { return double(i) - 3 < 3 ? 1.0 : 3.0; });
    write_nifti_volume(dir.file("pet.nii"), pet, 2, false);
    options.density_path = dir.file("pet.nii");
    const BrainBuild build = build_brain(options);
    const sim::BrainArrays& a = build.arrays;
    double weighted = 0, grey = 0;
    for (std::size_t v = 0; v < a.num_voxels(); ++v) {
        const double raw = a.centre_mm[3 * v] < 3 ? 1.0 : 3.0;
        weighted += a.grey_matter[v] * raw;
        grey += a.grey_matter[v];
    }
    const double reference = weighted / grey;
    EXPECT_NEAR(build.report.density_reference, reference, 1e-12);
    for (std::size_t v = 0; v < a.num_voxels(); ++v) {
        const double raw = a.centre_mm[3 * v] < 3 ? 1.0 : 3.0;
        EXPECT_NEAR(a.density[v], raw / reference, 1e-12);
        const double unbounded = std::round(100 * raw / reference);
        EXPECT_EQ(a.indegree[v], static_cast<std::uint32_t>(std::min(130.0, std::max(70.0, unbounded))));
    }
    EXPECT_NE(build.report.text().find("bounded to [70, 130]"), std::string::npos);
}

TEST_F(BrainBuilderTest, BadInputGivesOneClearMessage)
{
    const auto expect_error = [&](const BrainBuildOptions& o, const std::vector<std::string>& parts) {
        const std::string message = error_of(o);
        ASSERT_FALSE(message.empty()) << "no error";
        for (const auto& part : parts)
            EXPECT_NE(message.find(part), std::string::npos) << "expected '" << part << "' in: " << message;
    };
    BrainBuildOptions o = options;
    o.in_degree = 0;
    expect_error(o, { "--in-degree: 0 is out of range; allowed: [1, 10000]" });
    o = options;
    o.neurons = 0;
    expect_error(o, { "--neurons", "[2, 2^40]" });
    o = options;
    o.voxel_mm = -1;
    expect_error(o, { "--voxel-mm", "(0, 100] mm" });
    o = options;
    o.velocity_m_per_s = 0;
    expect_error(o, { "--velocity", "m/s" });
    o = options;
    o.lambda_per_mm = -0.1;
    expect_error(o, { "--lambda" });
    o = options;
    o.atlas_path = dir.file("missing.nii");
    expect_error(o, { "--atlas " + dir.file("missing.nii"), "cannot open" });
    o = options;
    o.neurons = 300;
    expect_error(o, { "--neurons 300: too few neurons" });

    // A label of the atlas missing from the connectome.
    test::write_text_file(dir.file("three.csv"), "x,1,2,3\n1,0,1,1\n2,1,0,1\n3,1,1,0\n");
    o = options;
    o.connectivity_path = dir.file("three.csv");
    expect_error(o, { "--connectivity " + dir.file("three.csv"), "missing from the connectome: 4" });
    // A region that receives nothing.
    test::write_text_file(dir.file("isolated.csv"), "x,1,2,3,4\n1,0,1,1,1\n2,1,0,1,1\n3,1,1,0,1\n4,0,0,0,9\n");
    o.connectivity_path = dir.file("isolated.csv");
    expect_error(o, { "region(s) 4 have no connection" });
    // NaN weights.
    test::write_text_file(dir.file("nan.csv"), "x,1,2,3,4\n1,0,1,1,1\n2,1,0,1,1\n3,1,1,0,nan\n4,1,1,1,0\n");
    o.connectivity_path = dir.file("nan.csv");
    expect_error(o, { "is nan; allowed: finite and >= 0" });
    // An unreadable NIfTI grey-matter map.
    test::write_text_file(dir.file("gm.nii"), "garbage");
    o = options;
    o.grey_matter_path = dir.file("gm.nii");
    expect_error(o, { "--grey-matter " + dir.file("gm.nii") });
}

TEST_F(BrainBuilderTest, BundleIsWrittenCompletelyAndLoadsAsAModel)
{
    const BrainBuild build = build_brain(options);
    const std::string out = dir.file("bundle");
    write_brain_bundle(build, out);
    for (const char* name : { "model.yaml", "brain.h5", "report.txt" })
        EXPECT_TRUE(fs::is_regular_file(out + "/" + name)) << name;
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(out))
        ++entries;
    EXPECT_EQ(entries, 3u);
    const sim::BrainArrays read = sim::read_brain_arrays(out + "/brain.h5");
    EXPECT_EQ(read.count_e, build.arrays.count_e);
    EXPECT_EQ(read.weight, build.arrays.weight);
    const auto model = sim::load_model_file(out + "/model.yaml");
    ASSERT_EQ(model.populations_size(), 2);
    EXPECT_EQ(model.populations(0).size(), build.report.excitatory);
    EXPECT_EQ(model.populations(1).size(), build.report.inhibitory);
    EXPECT_EQ(model.brain().arrays(), "brain.h5");
    EXPECT_EQ(model.projections_size(), 6);
    // Rewriting into the existing directory replaces the bundle, keeps other files.
    test::write_text_file(out + "/notes.txt", "mine");
    write_brain_bundle(build, out);
    EXPECT_TRUE(fs::is_regular_file(out + "/notes.txt"));
    // A parent that does not exist: an error, nothing created.
    EXPECT_THROW(write_brain_bundle(build, dir.file("no/such/bundle")), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir.file("no")));
    // --out naming a file.
    test::write_text_file(dir.file("file"), "x");
    EXPECT_THROW(write_brain_bundle(build, dir.file("file")), std::runtime_error);
    for (const auto& e : fs::directory_iterator(dir.path()))
        EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
}

TEST(BrainBuilderAal, AalAtlasFromMricronDataBuilds)
{
    const std::string aal = "/usr/share/mricron/templates/aal.nii.gz";
    if (!fs::exists(aal))
        GTEST_SKIP() << aal << " not installed (Debian package mricron-data)";
    BrainBuildOptions o;
    o.atlas_path = aal;
    o.neurons = 100000;
    o.regions = true;
    const BrainBuild build = build_brain(o);
    EXPECT_GE(build.arrays.num_voxels(), 100u);
    EXPECT_LE(build.arrays.num_voxels(), 116u);
    EXPECT_EQ(build.report.neurons, 100000u);
    EXPECT_EQ(build.arrays.region_name.front(), "Precentral_L");
    EXPECT_EQ(build.arrays.connectivity_kind, "exponential_distance_rule");
    // AAL in MNI space: centres within the brain's bounding box.
    for (std::size_t v = 0; v < build.arrays.num_voxels(); ++v) {
        EXPECT_LT(std::fabs(build.arrays.centre_mm[3 * v]), 80);
        EXPECT_LT(std::fabs(build.arrays.centre_mm[3 * v + 1] + 20), 90);
    }
    // Left regions (odd AAL labels) lie at x < 0: the sform orientation holds.
    EXPECT_LT(build.arrays.centre_mm[0], 0);
    EXPECT_GT(build.arrays.centre_mm[3], 0);
}

} // namespace
} // namespace dtb::brain
