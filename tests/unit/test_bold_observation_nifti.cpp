// Observed BOLD from a 4-D NIfTI over the model's atlas
// (assimilation/bold_observation_nifti.hpp): per-region and per-grid-cube
// means equal a direct computation over the synthetic image, non-finite
// voxels are left out, and each kind of bad input (other grid, other TR, a
// region without finite signal, a truncated file, an atlas that is not the
// model's) is one error naming the files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "assimilation/bold_observation_nifti.hpp"
#include "sim/brain/voxel_table.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::assimilation {
namespace {

constexpr std::int64_t NX = 6, NY = 5, NZ = 4, NT = 7;
constexpr double TR_MS = 800;
// 2 mm voxels, x stored right to left, origin off the grid.
const std::array<double, 12> AFFINE = { -2, 0, 0, 11, 0, 2, 0, -5, 0, 0, 2, -3 };

// Labels 1..3 in slabs along i, background (0) at j == 0, label 9 at one corner.
double atlas_label(std::int64_t i, std::int64_t j, std::int64_t k)
{
    if (j == 0)
        return 0;
    if (i == NX - 1 && j == NY - 1 && k == NZ - 1)
        return 9;
    return static_cast<double>(1 + i / 2);
}

double signal(std::uint64_t voxel, std::int64_t t)
{
    return 100 + std::sin(0.37 * static_cast<double>(voxel) + 0.9 * static_cast<double>(t))
        + 0.01 * static_cast<double>(voxel);
}

std::uint64_t flat(std::int64_t i, std::int64_t j, std::int64_t k)
{
    return static_cast<std::uint64_t>(i + NX * (j + NY * k));
}

// values[voxel + nx ny nz t] with signal(), and NaN at the voxels in `nan_voxels`
// (every volume) or at `nan_once` (volume 3 only).
std::vector<double> image_values(const std::vector<std::uint64_t>& nan_voxels = {},
    const std::vector<std::uint64_t>& nan_once = {})
{
    const auto voxels = static_cast<std::uint64_t>(NX * NY * NZ);
    std::vector<double> values(voxels * NT);
    for (std::int64_t t = 0; t < NT; ++t)
        for (std::uint64_t v = 0; v < voxels; ++v)
            values[v + voxels * static_cast<std::uint64_t>(t)] = signal(v, t);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto v : nan_voxels)
        for (std::int64_t t = 0; t < NT; ++t)
            values[v + voxels * static_cast<std::uint64_t>(t)] = nan;
    for (const auto v : nan_once)
        values[v + voxels * 3] = nan;
    return values;
}

// A region-level model of labels `labels` (the builder's label, centre and
// voxel_mm are all the loader reads).
sim::BrainArrays region_model(const std::vector<std::int64_t>& labels)
{
    sim::BrainArrays arrays;
    arrays.label = labels;
    arrays.count_e.assign(labels.size(), 80);
    arrays.count_i.assign(labels.size(), 20);
    arrays.centre_mm.assign(3 * labels.size(), 0.0);
    arrays.voxel_mm = 0;
    arrays.region_label = labels;
    for (const auto label : labels)
        arrays.region_name.push_back("Region_" + std::to_string(label));
    return arrays;
}

struct Files {
    test::TempDirectory dir;
    brain::NiftiVolume atlas = test::make_volume(NX, NY, NZ, AFFINE, atlas_label);
    std::string atlas_path = dir.file("atlas.nii.gz");
    std::string image_path = dir.file("bold.nii.gz");

    Files(const std::vector<double>& values = image_values(), double tr_s = TR_MS / 1000)
    {
        brain::write_nifti_volume(atlas_path, atlas, 1, true);
        brain::write_nifti_time_series(image_path, atlas, NT, values, tr_s);
    }
};

// The mean of signal() over the atlas voxels with label `label` that are not
// in `excluded`, computed directly.
double expected_region_mean(std::int64_t label, std::int64_t t, const std::vector<std::uint64_t>& excluded = {})
{
    double sum = 0;
    int count = 0;
    for (std::int64_t k = 0; k < NZ; ++k)
        for (std::int64_t j = 0; j < NY; ++j)
            for (std::int64_t i = 0; i < NX; ++i) {
                const auto v = flat(i, j, k);
                if (atlas_label(i, j, k) != static_cast<double>(label)
                    || std::find(excluded.begin(), excluded.end(), v) != excluded.end())
                    continue;
                sum += signal(v, t);
                ++count;
            }
    return sum / count;
}

std::string error_of(const std::function<void()>& call)
{
    try {
        call();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
}

TEST(BoldObservationNifti, RegionSeriesAreTheMeansOverTheRegionsAtlasVoxels)
{
    Files files;
    // The model keeps labels 1..3 (label 9 dropped by the builder, say).
    const auto arrays = region_model({ 1, 2, 3 });
    const BoldSeries series = read_bold_nifti(files.image_path, files.atlas_path, arrays, TR_MS);
    ASSERT_EQ(series.regions, 3u);
    ASSERT_EQ(series.trs, static_cast<std::size_t>(NT));
    EXPECT_EQ(series.tr_ms, TR_MS);
    for (std::size_t r = 0; r < 3; ++r)
        for (std::int64_t t = 0; t < NT; ++t)
            EXPECT_NEAR(series.at(r, static_cast<std::size_t>(t)), expected_region_mean(arrays.label[r], t), 1e-12)
                << "region " << r << ", TR " << t;
}

TEST(BoldObservationNifti, PlainNiiAndAConstantRegionAreExact)
{
    Files files;
    const std::string plain = files.dir.file("bold.nii");
    // Every voxel of a label holds the same series: the mean is exactly it.
    const auto voxels = static_cast<std::uint64_t>(NX * NY * NZ);
    std::vector<double> values(voxels * NT);
    for (std::int64_t t = 0; t < NT; ++t)
        for (std::uint64_t v = 0; v < voxels; ++v)
            values[v + voxels * static_cast<std::uint64_t>(t)] = 0.1 * files.atlas.values[v] + 1e-3 * t + 1.0 / 3;
    brain::write_nifti_time_series(plain, files.atlas, NT, values, TR_MS / 1000);
    const auto arrays = region_model({ 1, 2, 3, 9 });
    const BoldSeries series = read_bold_nifti(plain, files.atlas_path, arrays, TR_MS);
    for (std::size_t r = 0; r < 4; ++r)
        for (std::int64_t t = 0; t < NT; ++t)
            EXPECT_EQ(series.at(r, static_cast<std::size_t>(t)),
                0.1 * static_cast<double>(arrays.label[r]) + 1e-3 * t + 1.0 / 3);
}

TEST(BoldObservationNifti, VoxelsWithANonFiniteValueAreLeftOut)
{
    // Region 2 (i = 2, 3): one voxel NaN throughout, one NaN in volume 3 only.
    const std::vector<std::uint64_t> excluded = { flat(2, 1, 0), flat(3, 2, 1) };
    Files files(image_values({ excluded[0] }, { excluded[1] }));
    const auto arrays = region_model({ 1, 2, 3 });
    const BoldSeries series = read_bold_nifti(files.image_path, files.atlas_path, arrays, TR_MS);
    for (std::int64_t t = 0; t < NT; ++t) {
        EXPECT_NEAR(series.at(1, static_cast<std::size_t>(t)), expected_region_mean(2, t, excluded), 1e-12);
        EXPECT_NEAR(series.at(0, static_cast<std::size_t>(t)), expected_region_mean(1, t), 1e-12);
    }
}

TEST(BoldObservationNifti, VoxelLevelSeriesAreTheMeansOverTheBuildersGridCubes)
{
    // 1 mm atlas voxels at x = i - 0.5 (likewise y, z): the builder's 2 mm
    // cubes (centres at multiples of 2 mm) hold 2 x 2 x 2 blocks of voxels.
    constexpr std::int64_t N = 4;
    const std::array<double, 12> affine = { 1, 0, 0, -0.5, 0, 1, 0, -0.5, 0, 0, 1, -0.5 };
    const auto label = [](std::int64_t i, std::int64_t j, std::int64_t k) {
        return (i == 0 && j == 0 && k == 0) ? 0.0 : static_cast<double>(1 + (i + j) % 2 + (k >= 2 ? 2 : 0));
    };
    test::TempDirectory dir;
    const brain::NiftiVolume atlas = test::make_volume(N, N, N, affine, label);
    const std::string atlas_path = dir.file("atlas.nii"), image_path = dir.file("bold.nii.gz");
    brain::write_nifti_volume(atlas_path, atlas, 2, true);
    const auto voxels = static_cast<std::uint64_t>(N * N * N);
    std::vector<double> values(voxels * NT);
    for (std::int64_t t = 0; t < NT; ++t)
        for (std::uint64_t v = 0; v < voxels; ++v)
            values[v + voxels * static_cast<std::uint64_t>(t)] = signal(v, t);
    brain::write_nifti_time_series(image_path, atlas, NT, values, TR_MS / 1000);

    brain::AtlasImages images;
    images.atlas = &atlas;
    const brain::VoxelTable table = brain::resample_atlas(images, 2.0);
    ASSERT_EQ(table.size(), 8u);
    sim::BrainArrays arrays;
    arrays.label = table.label;
    arrays.centre_mm = table.centre_mm;
    arrays.voxel_mm = 2.0;
    arrays.count_e.assign(table.size(), 80);
    const BoldSeries series = read_bold_nifti(image_path, atlas_path, arrays, TR_MS);
    ASSERT_EQ(series.regions, 8u);
    for (std::size_t v = 0; v < 8; ++v) {
        // Cube (cx, cy, cz), centred at 2 (cx, cy, cz) mm, holds the atlas voxels with i / 2 == cx (j, k alike).
        const auto cx = std::llround(table.centre_mm[3 * v] / 2), cy = std::llround(table.centre_mm[3 * v + 1] / 2),
                   cz = std::llround(table.centre_mm[3 * v + 2] / 2);
        for (std::int64_t t = 0; t < NT; ++t) {
            double sum = 0;
            int count = 0;
            for (std::int64_t k = 0; k < N; ++k)
                for (std::int64_t j = 0; j < N; ++j)
                    for (std::int64_t i = 0; i < N; ++i)
                        if (i / 2 == cx && j / 2 == cy && k / 2 == cz && label(i, j, k) != 0) {
                            sum += signal(static_cast<std::uint64_t>(i + N * (j + N * k)), t);
                            ++count;
                        }
            ASSERT_GT(count, 0);
            EXPECT_NEAR(series.at(v, static_cast<std::size_t>(t)), sum / count, 1e-12) << "voxel " << v << ", TR " << t;
        }
    }
}

TEST(BoldObservationNifti, AnotherGridIsOneErrorNamingBothFiles)
{
    Files files;
    const auto arrays = region_model({ 1, 2, 3 });
    // Other dims.
    const brain::NiftiVolume smaller = test::make_volume(NX - 1, NY, NZ, AFFINE, atlas_label);
    const std::string smaller_path = files.dir.file("smaller.nii.gz");
    brain::write_nifti_time_series(smaller_path, smaller,
        NT, std::vector<double>(static_cast<std::size_t>((NX - 1) * NY * NZ * NT), 1.0), TR_MS / 1000);
    std::string message = error_of([&] { read_bold_nifti(smaller_path, files.atlas_path, arrays, TR_MS); });
    EXPECT_NE(message.find("smaller.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("atlas.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("same grid"), std::string::npos) << message;
    EXPECT_NE(message.find("5 x 5 x 4"), std::string::npos) << message;
    // Same dims, origin shifted by 1 mm.
    std::array<double, 12> shifted = AFFINE;
    shifted[3] += 1;
    const std::string shifted_path = files.dir.file("shifted.nii.gz");
    brain::write_nifti_time_series(shifted_path, test::make_volume(NX, NY, NZ, shifted, atlas_label), NT,
        image_values(), TR_MS / 1000);
    message = error_of([&] { read_bold_nifti(shifted_path, files.atlas_path, arrays, TR_MS); });
    EXPECT_NE(message.find("shifted.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("atlas.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("row 1, column 4"), std::string::npos) << message;
}

TEST(BoldObservationNifti, ATrOtherThanTheConfigsIsAnError)
{
    Files files(image_values(), 2.0);
    const auto arrays = region_model({ 1, 2, 3 });
    const std::string message = error_of([&] { read_bold_nifti(files.image_path, files.atlas_path, arrays, TR_MS); });
    EXPECT_NE(message.find("bold.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("pixdim[4] gives a TR of 2 s"), std::string::npos) << message;
    EXPECT_NE(message.find("800 ms"), std::string::npos) << message;
    EXPECT_NO_THROW(read_bold_nifti(files.image_path, files.atlas_path, arrays, 2000));
    // (libnifti writes no pixdim[4] of 0; cli.test_assimilate_nifti checks that
    // such an image is read with the config's tr_ms.)
}

TEST(BoldObservationNifti, ARegionWithoutFiniteSignalIsNamed)
{
    std::vector<std::uint64_t> region_3;
    for (std::int64_t k = 0; k < NZ; ++k)
        for (std::int64_t j = 1; j < NY; ++j)
            for (std::int64_t i = 4; i < 6; ++i)
                if (atlas_label(i, j, k) == 3)
                    region_3.push_back(flat(i, j, k));
    // All but one voxel NaN throughout, the last one NaN in one volume.
    const std::uint64_t last = region_3.back();
    region_3.pop_back();
    Files files(image_values(region_3, { last }));
    const std::string message
        = error_of([&] { read_bold_nifti(files.image_path, files.atlas_path, region_model({ 1, 2, 3 }), TR_MS); });
    EXPECT_NE(message.find("bold.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("region label 3 (Region_3)"), std::string::npos) << message;
    EXPECT_NE(message.find("no finite signal"), std::string::npos) << message;
}

TEST(BoldObservationNifti, TruncatedOrNonNiftiImagesAreReadErrors)
{
    Files files;
    const std::string plain = files.dir.file("cut.nii");
    brain::write_nifti_time_series(plain, files.atlas, NT, image_values(), TR_MS / 1000);
    std::filesystem::resize_file(plain, std::filesystem::file_size(plain) / 2);
    const auto arrays = region_model({ 1, 2, 3 });
    std::string message = error_of([&] { read_bold_nifti(plain, files.atlas_path, arrays, TR_MS); });
    EXPECT_NE(message.find("cut.nii"), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    const std::string text = files.dir.file("text.nii");
    test::write_text_file(text, "not an image\n");
    message = error_of([&] { read_bold_nifti(text, files.atlas_path, arrays, TR_MS); });
    EXPECT_NE(message.find("text.nii"), std::string::npos) << message;
    EXPECT_NE(message.find("not a NIfTI"), std::string::npos) << message;
    // The 4-D image given as the atlas: the atlas must be one volume.
    message = error_of([&] { read_bold_nifti(files.image_path, files.image_path, arrays, TR_MS); });
    EXPECT_NE(message.find("atlas"), std::string::npos) << message;
    EXPECT_NE(message.find("one 3-D volume"), std::string::npos) << message;
}

TEST(BoldObservationNifti, AModelLabelMissingFromTheAtlasMeansAnotherAtlas)
{
    Files files;
    const std::string message
        = error_of([&] { read_bold_nifti(files.image_path, files.atlas_path, region_model({ 1, 2, 5 }), TR_MS); });
    EXPECT_NE(message.find("atlas.nii.gz"), std::string::npos) << message;
    EXPECT_NE(message.find("label 5"), std::string::npos) << message;
    EXPECT_NE(message.find("the atlas the model was built from"), std::string::npos) << message;
}

} // namespace
} // namespace dtb::assimilation
