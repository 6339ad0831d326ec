// NIfTI reading: values, orientation (sform over qform over pixdim) and the
// world coordinates of voxels, for NIfTI-1 and NIfTI-2, .nii and .nii.gz.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/brain/nifti_volume.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::brain {
namespace {

// MNI-like 2 mm grid stored right-to-left (x decreases with i), as the
// FSL/AICHA templates of mricron-data are.
const std::array<double, 12> FLIPPED_2MM = { -2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72 };

double index_value(std::int64_t i, std::int64_t j, std::int64_t k) { return double(i + 10 * j + 100 * k); }

TEST(BrainNifti, RoundTripsValuesAndSformForNifti1And2PlainAndGzipped)
{
    test::TempDirectory dir;
    const NiftiVolume volume = test::make_volume(5, 6, 7, FLIPPED_2MM, index_value);
    for (int version : { 1, 2 })
        for (const char* suffix : { ".nii", ".nii.gz" }) {
            const std::string path = dir.file("v" + std::to_string(version) + suffix);
            write_nifti_volume(path, volume, version, true);
            const NiftiVolume read = read_nifti_volume(path, "--atlas");
            SCOPED_TRACE(path);
            EXPECT_EQ(read.nx, 5);
            EXPECT_EQ(read.ny, 6);
            EXPECT_EQ(read.nz, 7);
            EXPECT_EQ(read.values, volume.values);
            EXPECT_EQ(read.orientation_source, "sform");
            for (std::size_t n = 0; n < 12; ++n)
                EXPECT_NEAR(read.voxel_to_world.m[n], FLIPPED_2MM[n], 1e-6) << "affine entry " << n;
            // Voxel (3, 4, 5) lies at x = 90 - 6, y = -126 + 8, z = -72 + 10.
            const auto world = read.voxel_to_world.apply(3, 4, 5);
            EXPECT_NEAR(world[0], 84, 1e-6);
            EXPECT_NEAR(world[1], -118, 1e-6);
            EXPECT_NEAR(world[2], -62, 1e-6);
            const VoxelToWorld inverse = read.voxel_to_world.inverse();
            EXPECT_EQ(read.value_at_world({ 84, -118, -62 }, inverse, -1), index_value(3, 4, 5));
            // 0.9 mm off still rounds to the same voxel; outside gives `outside`.
            EXPECT_EQ(read.value_at_world({ 84.9, -118.9, -61.1 }, inverse, -1), index_value(3, 4, 5));
            EXPECT_EQ(read.value_at_world({ 200, 0, 0 }, inverse, -1), -1);
            EXPECT_NEAR(read.voxel_to_world.voxel_volume_mm3(), 8, 1e-9);
        }
}

TEST(BrainNifti, QformIsUsedWhenThereIsNoSform)
{
    test::TempDirectory dir;
    const std::string path = dir.file("qform.nii.gz");
    write_nifti_volume(path, test::make_volume(4, 4, 4, FLIPPED_2MM, index_value), 1, false, false);
    const NiftiVolume read = read_nifti_volume(path, "--grey-matter");
    EXPECT_EQ(read.orientation_source, "qform");
    for (std::size_t n = 0; n < 12; ++n)
        EXPECT_NEAR(read.voxel_to_world.m[n], FLIPPED_2MM[n], 1e-5) << "affine entry " << n;
    EXPECT_EQ(read.values[5], index_value(1, 1, 0));
}

TEST(BrainNifti, ErrorsNameTheOptionAndFile)
{
    test::TempDirectory dir;
    const auto message_of = [](const std::string& path) {
        try {
            read_nifti_volume(path, "--atlas");
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const std::string missing = message_of(dir.file("missing.nii"));
    EXPECT_NE(missing.find("--atlas " + dir.file("missing.nii")), std::string::npos) << missing;
    EXPECT_NE(missing.find("No such file"), std::string::npos) << missing;

    test::write_text_file(dir.file("text.nii"), std::string(400, 'x'));
    const std::string not_nifti = message_of(dir.file("text.nii"));
    EXPECT_NE(not_nifti.find("not a NIfTI"), std::string::npos) << not_nifti;

    // A header whose data is cut off.
    const std::string full = dir.file("full.nii");
    write_nifti_volume(full, test::make_volume(20, 20, 20, FLIPPED_2MM, index_value), 1, true);
    std::filesystem::resize_file(full, 352 + 100);
    const std::string truncated = message_of(full);
    EXPECT_NE(truncated.find("--atlas " + full), std::string::npos) << truncated;
    EXPECT_NE(truncated.find("unreadable"), std::string::npos) << truncated;
}

TEST(BrainNifti, SingularTransformIsRefused)
{
    test::TempDirectory dir;
    const std::string path = dir.file("flat.nii");
    write_nifti_volume(path, test::make_volume(3, 3, 3, { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, index_value), 1, true);
    EXPECT_THROW(read_nifti_volume(path, "--atlas"), std::runtime_error);
}

} // namespace
} // namespace dtb::brain
