#include "assimilation/bold_observation_nifti.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "sim/brain/atlas_footprint.hpp"
#include "sim/brain/nifti_volume.hpp"
#include "sim/staged_file.hpp"

namespace dtb::assimilation {

namespace {

std::string format_number(double value)
{
    std::ostringstream text;
    text.precision(9);
    text << value;
    return text.str();
}

void check_same_grid(const brain::NiftiTimeSeries& image, const brain::NiftiVolume& atlas)
{
    const std::string both = image.path + " and the atlas " + atlas.path;
    if (image.nx != atlas.nx || image.ny != atlas.ny || image.nz != atlas.nz)
        throw std::runtime_error(both + " are not on the same grid: " + std::to_string(image.nx) + " x "
            + std::to_string(image.ny) + " x " + std::to_string(image.nz) + " voxels against "
            + std::to_string(atlas.nx) + " x " + std::to_string(atlas.ny) + " x " + std::to_string(atlas.nz)
            + "; resample the image onto the atlas grid");
    for (std::size_t n = 0; n < 12; ++n) {
        const double a = image.voxel_to_world.m[n], b = atlas.voxel_to_world.m[n];
        if (std::fabs(a - b) > SAME_GRID_TOLERANCE_MM)
            throw std::runtime_error(both + " are not on the same grid: their voxel-to-world affines ("
                + image.orientation_source + ", " + atlas.orientation_source + ") differ in row "
                + std::to_string(n / 4 + 1) + ", column " + std::to_string(n % 4 + 1) + ": " + format_number(a)
                + " against " + format_number(b) + " (allowed: " + format_number(SAME_GRID_TOLERANCE_MM)
                + " mm); resample the image onto the atlas grid");
    }
}

void check_time_step(const brain::NiftiTimeSeries& image, double tr_ms)
{
    if (image.time_step_s == 0)
        return; // the header gives no TR
    const double image_ms = 1000 * image.time_step_s;
    if (std::fabs(image_ms - tr_ms) > TR_RELATIVE_TOLERANCE * tr_ms)
        throw std::runtime_error(image.path + ": pixdim[4] gives a TR of " + format_number(image.time_step_s)
            + " s, but tr_ms is " + format_number(tr_ms) + " ms (" + format_number(tr_ms / 1000)
            + " s); set tr_ms to the image's TR");
}

std::string region_name(const sim::BrainArrays& arrays, std::size_t v)
{
    const std::int64_t label = arrays.label[v];
    std::string text = "label " + std::to_string(label);
    for (std::size_t r = 0; r < arrays.region_label.size(); ++r)
        if (arrays.region_label[r] == label && r < arrays.region_name.size())
            text += " (" + arrays.region_name[r] + ")";
    return arrays.voxel_mm > 0 ? "model voxel " + std::to_string(v) + ", " + text : "region " + text;
}

} // namespace

BoldSeries read_bold_nifti(const std::string& image_path, const std::string& atlas_path,
    const sim::BrainArrays& arrays, double tr_ms)
{
    const brain::NiftiVolume atlas = brain::read_nifti_volume(atlas_path, "atlas");
    const brain::NiftiTimeSeries image = brain::read_nifti_time_series(image_path, "image");
    check_same_grid(image, atlas);
    check_time_step(image, tr_ms);
    const brain::AtlasFootprint footprint
        = brain::atlas_footprint(atlas, "atlas", arrays.label, arrays.centre_mm, arrays.voxel_mm);

    BoldSeries series;
    series.regions = arrays.num_voxels();
    series.trs = static_cast<std::size_t>(image.nt);
    series.tr_ms = tr_ms;
    series.values.assign(series.regions * series.trs, 0.0);
    std::vector<long double> sum(series.trs);
    std::vector<double> voxel_series(series.trs);
    for (std::size_t v = 0; v < series.regions; ++v) {
        std::fill(sum.begin(), sum.end(), 0.0L);
        std::uint64_t used = 0;
        for (std::uint64_t n = footprint.begin[v]; n < footprint.begin[v + 1]; ++n) {
            bool finite = true;
            for (std::size_t t = 0; t < series.trs && finite; ++t) {
                voxel_series[t] = image.at(footprint.atlas_voxel[n], static_cast<std::int64_t>(t));
                finite = std::isfinite(voxel_series[t]);
            }
            if (!finite)
                continue;
            for (std::size_t t = 0; t < series.trs; ++t)
                sum[t] += voxel_series[t];
            ++used;
        }
        if (used == 0)
            throw std::runtime_error(image_path + ": " + region_name(arrays, v) + " has no finite signal: each of its "
                + std::to_string(footprint.size_of(v)) + " voxels in the atlas " + atlas_path
                + " is NaN or infinite in some volume");
        for (std::size_t t = 0; t < series.trs; ++t)
            series.values[v * series.trs + t] = static_cast<double>(sum[t] / static_cast<long double>(used));
    }
    return series;
}

void write_bold_nifti(const std::string& path, const BoldSeries& series, const std::string& atlas_path,
    const sim::BrainArrays& arrays)
{
    if (series.regions != arrays.num_voxels())
        throw std::invalid_argument("write_bold_nifti: one series per model voxel needed");
    const brain::NiftiVolume atlas = brain::read_nifti_volume(atlas_path, "atlas");
    const brain::AtlasFootprint footprint
        = brain::atlas_footprint(atlas, "atlas", arrays.label, arrays.centre_mm, arrays.voxel_mm);
    const std::uint64_t voxels = atlas.num_voxels();
    std::vector<double> values(voxels * series.trs, 0.0);
    for (std::size_t v = 0; v < series.regions; ++v)
        for (std::uint64_t n = footprint.begin[v]; n < footprint.begin[v + 1]; ++n)
            for (std::size_t t = 0; t < series.trs; ++t)
                values[footprint.atlas_voxel[n] + voxels * t] = series.at(v, t);
    const bool compressed = path.size() > 7 && path.compare(path.size() - 7, 7, ".nii.gz") == 0;
    sim::StagedFile staged(path, compressed ? ".nii.gz" : ".nii");
    brain::write_nifti_time_series(
        staged.temp_path(), atlas, static_cast<std::int64_t>(series.trs), values, series.tr_ms / 1000);
    staged.commit();
}

} // namespace dtb::assimilation
