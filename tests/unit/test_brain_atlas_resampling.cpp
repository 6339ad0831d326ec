// Atlas to voxel table: synthetic atlases with known labels and coordinates
// are binned into the right cubes (whatever the stored orientation), keep the
// majority label, and carry the grey matter and density of their voxels.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/brain/voxel_table.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::brain {
namespace {

// 6 x 6 x 6 voxels of 1 mm at world x = i - 1 (same for y, z): cubes of 3 mm
// centred on multiples of 3 hold world {-1, 0, 1} and {2, 3, 4}, so the
// atlas fills 2 x 2 x 2 cubes of 27 voxels each.
const std::array<double, 12> SHIFTED_1MM = { 1, 0, 0, -1, 0, 1, 0, -1, 0, 0, 1, -1 };
// The same voxels stored with i running from x = 4 down to x = -1.
const std::array<double, 12> FLIPPED_1MM = { -1, 0, 0, 4, 0, 1, 0, -1, 0, 0, 1, -1 };

// Label by world position: 1 for x < 1.5 and 2 otherwise, except the cube at
// (3, 0, 0), where y = 1 (9 voxels) is label 3 -> still 18:9 for label 2;
// and the cube (3, 3, 3) whose voxels alternate 4 and 5 with one background
// voxel: 13 each, a tie -> the smaller label 4.
double label_at_world(double x, double y, double z)
{
    if (x >= 1.5 && y >= 1.5 && z >= 1.5) {
        if (x == 2 && y == 2 && z == 2)
            return 0;
        const int n = int(x - 2) + 3 * int(y - 2) + 9 * int(z - 2); // 1..26
        return n % 2 == 0 ? 4 : 5;
    }
    if (x >= 1.5 && y == 1 && z < 1.5)
        return 3;
    return x < 1.5 ? 1 : 2;
}

NiftiVolume synthetic_atlas(const std::array<double, 12>& affine)
{
    return test::make_volume(6, 6, 6, affine, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
        const auto w = VoxelToWorld { affine }.apply(double(i), double(j), double(k));
        return label_at_world(w[0], w[1], w[2]);
    });
}

struct Cube {
    std::int64_t label;
    double grey_matter;
};

std::map<std::array<double, 3>, Cube> cubes_of(const VoxelTable& t)
{
    std::map<std::array<double, 3>, Cube> out;
    for (std::size_t v = 0; v < t.size(); ++v)
        out[{ t.centre_mm[3 * v], t.centre_mm[3 * v + 1], t.centre_mm[3 * v + 2] }] = { t.label[v], t.grey_matter[v] };
    return out;
}

TEST(BrainAtlasResampling, CubesGetTheirCentresMajorityLabelsAndGreyMatter)
{
    const NiftiVolume atlas = synthetic_atlas(SHIFTED_1MM);
    const VoxelTable table = resample_atlas({ &atlas, nullptr, nullptr }, 3.0);
    ASSERT_EQ(table.size(), 8u);
    EXPECT_EQ(table.voxel_mm, 3.0);
    const auto cubes = cubes_of(table);
    for (const auto& [centre, cube] : cubes) {
        SCOPED_TRACE(testing::Message() << centre[0] << " " << centre[1] << " " << centre[2]);
        std::int64_t expected = centre[0] == 0 ? 1 : 2;
        if (centre[0] == 3 && centre[1] == 3 && centre[2] == 3)
            expected = 4; // 13:13 tie
        EXPECT_EQ(cube.label, expected);
        // Atlas mask: 1 mm^3 per labelled voxel (one background voxel in the tie cube).
        const bool tie_cube = centre[0] == 3 && centre[1] == 3 && centre[2] == 3;
        EXPECT_DOUBLE_EQ(cube.grey_matter, tie_cube ? 26.0 : 27.0);
        for (double c : centre)
            EXPECT_TRUE(c == 0 || c == 3);
    }
    // Ordered by label, then z, y, x.
    for (std::size_t v = 1; v < table.size(); ++v)
        EXPECT_LE(table.label[v - 1], table.label[v]);
    EXPECT_EQ(table.centre_mm[0], 0);
    EXPECT_EQ(table.centre_mm[1], 0);
    EXPECT_EQ(table.centre_mm[2], 0);
    EXPECT_TRUE(std::isnan(table.density_raw[0]));
}

TEST(BrainAtlasResampling, StoredOrientationDoesNotChangeTheResult)
{
    const NiftiVolume plain = synthetic_atlas(SHIFTED_1MM);
    const NiftiVolume flipped = synthetic_atlas(FLIPPED_1MM);
    const auto a = cubes_of(resample_atlas({ &plain, nullptr, nullptr }, 3.0));
    const auto b = cubes_of(resample_atlas({ &flipped, nullptr, nullptr }, 3.0));
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [centre, cube] : a) {
        ASSERT_TRUE(b.count(centre));
        EXPECT_EQ(b.at(centre).label, cube.label);
        EXPECT_EQ(b.at(centre).grey_matter, cube.grey_matter);
    }
}

TEST(BrainAtlasResampling, ThroughNiftiFilesWithSformAndQform)
{
    // The same atlas through files: orientation respected on the way in.
    test::TempDirectory dir;
    write_nifti_volume(dir.file("a.nii.gz"), synthetic_atlas(FLIPPED_1MM), 1, true, true);
    write_nifti_volume(dir.file("b.nii"), synthetic_atlas(FLIPPED_1MM), 2, true, false);
    const NiftiVolume plain = synthetic_atlas(SHIFTED_1MM);
    const auto expected = cubes_of(resample_atlas({ &plain, nullptr, nullptr }, 3.0));
    for (const char* name : { "a.nii.gz", "b.nii" }) {
        const NiftiVolume atlas = read_nifti_volume(dir.file(name), "--atlas");
        const auto got = cubes_of(resample_atlas({ &atlas, nullptr, nullptr }, 3.0));
        ASSERT_EQ(got.size(), expected.size()) << name;
        for (const auto& [centre, cube] : expected)
            EXPECT_EQ(got.at(centre).label, cube.label) << name;
    }
}

TEST(BrainAtlasResampling, GreyMatterAndDensityMapsOnOtherGridsAreSampledByWorldPosition)
{
    const NiftiVolume atlas = synthetic_atlas(SHIFTED_1MM);
    // 2 mm grid covering the atlas: grey matter 0.5 for x < 1.5, 0.25 beyond;
    // density = 10 + world x of the map voxel centre.
    const std::array<double, 12> grid_2mm = { 2, 0, 0, -2, 0, 2, 0, -2, 0, 0, 2, -2 };
    const NiftiVolume grey = test::make_volume(5, 5, 5, grid_2mm,
        [](std::int64_t i, std::int64_t, std::int64_t) { return 2.0 * i - 2 < 1.5 ? 0.5 : 0.25; });
    const NiftiVolume density = test::make_volume(5, 5, 5, grid_2mm,
        [](std::int64_t i, std::int64_t, std::int64_t) { return 10 + 2.0 * i - 2; });
    const VoxelTable table = resample_atlas({ &atlas, &grey, &density }, 3.0);
    ASSERT_EQ(table.size(), 8u);
    const VoxelToWorld grey_inverse = grey.voxel_to_world.inverse();
    for (std::size_t v = 0; v < table.size(); ++v) {
        // Recompute from the atlas voxels of this cube.
        double expected_grey = 0, density_sum = 0;
        int samples = 0;
        for (std::int64_t k = 0; k < 6; ++k)
            for (std::int64_t j = 0; j < 6; ++j)
                for (std::int64_t i = 0; i < 6; ++i) {
                    const auto w = atlas.voxel_to_world.apply(double(i), double(j), double(k));
                    bool inside = true;
                    for (int axis = 0; axis < 3; ++axis)
                        inside = inside && std::fabs(w[axis] - table.centre_mm[3 * v + axis]) < 1.5;
                    if (!inside || atlas.at(i, j, k) == 0)
                        continue;
                    expected_grey += grey.value_at_world(w, grey_inverse, 0);
                    density_sum += density.value_at_world(w, density.voxel_to_world.inverse(), 0);
                    ++samples;
                }
        EXPECT_DOUBLE_EQ(table.grey_matter[v], expected_grey) << "voxel " << v;
        EXPECT_DOUBLE_EQ(table.density_raw[v], density_sum / samples) << "voxel " << v;
        EXPECT_EQ(table.atlas_voxels[v], static_cast<std::uint64_t>(samples));
    }
}

TEST(BrainAtlasResampling, RegionLevelGivesOneEntryPerLabelAtItsCentroid)
{
    const NiftiVolume atlas = synthetic_atlas(SHIFTED_1MM);
    const VoxelTable table = atlas_regions({ &atlas, nullptr, nullptr });
    EXPECT_EQ(table.voxel_mm, 0);
    ASSERT_EQ(table.label, (std::vector<std::int64_t> { 1, 2, 3, 4, 5 }));
    std::map<std::int64_t, std::array<double, 4>> sums; // x, y, z, count
    for (std::int64_t k = 0; k < 6; ++k)
        for (std::int64_t j = 0; j < 6; ++j)
            for (std::int64_t i = 0; i < 6; ++i) {
                const auto label = static_cast<std::int64_t>(atlas.at(i, j, k));
                if (label == 0)
                    continue;
                auto& s = sums[label];
                s[0] += double(i) - 1;
                s[1] += double(j) - 1;
                s[2] += double(k) - 1;
                s[3] += 1;
            }
    for (std::size_t v = 0; v < table.size(); ++v) {
        const auto& s = sums.at(table.label[v]);
        for (int axis = 0; axis < 3; ++axis)
            EXPECT_NEAR(table.centre_mm[3 * v + axis], s[axis] / s[3], 1e-12);
        EXPECT_DOUBLE_EQ(table.grey_matter[v], s[3]);
    }
}

TEST(BrainAtlasResampling, EmptyOrNonIntegerAtlasesAreRefused)
{
    const NiftiVolume empty = test::make_volume(4, 4, 4, SHIFTED_1MM, [](auto, auto, auto) { return 0.0; });
    try {
        resample_atlas({ &empty, nullptr, nullptr }, 3.0);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no labelled voxels"), std::string::npos) << e.what();
    }
    const NiftiVolume fractional = test::make_volume(4, 4, 4, SHIFTED_1MM, [](auto i, auto, auto) { return i * 0.5; });
    try {
        atlas_regions({ &fractional, nullptr, nullptr });
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("integer labels"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace dtb::brain
