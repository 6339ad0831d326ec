#pragma once
// Observed BOLD from an fMRI image: a 4-D NIfTI (x, y, z, time; .nii or
// .nii.gz) on the grid of the atlas the model was built from, averaged over
// each model voxel's atlas voxels (brain/atlas_footprint.hpp): over a
// region's atlas voxels for region-level bundles, over the atlas voxels of
// the grid cube for voxel-level ones. docs/assimilation.md, "Observed BOLD".
#include <string>

#include "assimilation/bold_observation_file.hpp"
#include "sim/brain_arrays.hpp"

namespace dtb::assimilation {

/// Largest difference (mm) between two affine entries of images on "the
/// same grid".
constexpr double SAME_GRID_TOLERANCE_MM = 1e-3;
/// Largest relative difference between the image's pixdim[4] and tr_ms
/// (pixdim is float32 in NIfTI-1: 0.8 s is stored as 0.800000012).
constexpr double TR_RELATIVE_TOLERANCE = 1e-5;

/// One series per model voxel (regions x TRs, tr_ms set to `tr_ms`). An
/// atlas voxel counts when its value is finite in every volume; the mean is
/// summed in extended precision, so a region whose voxels all hold x gets
/// exactly x. Throws std::runtime_error naming the files: images not on one
/// grid (dims, or affine entries further apart than SAME_GRID_TOLERANCE_MM),
/// a pixdim[4] that disagrees with tr_ms, a model voxel without atlas voxels,
/// or one whose atlas voxels all hold a non-finite value somewhere.
BoldSeries read_bold_nifti(const std::string& image_path, const std::string& atlas_path,
    const sim::BrainArrays& arrays, double tr_ms);

/// The inverse, for synthetic fMRI (dtb simulate-bold --atlas): writes
/// `series` (one row per model voxel) as a 4-D float64 NIfTI-1 image on the
/// atlas's grid, every atlas voxel of model voxel v holding row v and all
/// other voxels 0, pixdim[4] = series.tr_ms in seconds; ".gz" compresses.
/// Holds the whole image in memory (nx ny nz x TRs x 8 bytes). Written under
/// a temporary name and renamed when complete.
void write_bold_nifti(const std::string& path, const BoldSeries& series, const std::string& atlas_path,
    const sim::BrainArrays& arrays);

} // namespace dtb::assimilation
