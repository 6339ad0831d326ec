#pragma once
// The voxels (or regions) of a brain model as read from the imaging data,
// before neurons are allocated: label, position, grey matter and the raw
// synaptic density of each. Produced by resample_atlas (a regular grid of
// voxel_mm cubes) or atlas_regions (one entry per atlas label).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/brain/nifti_volume.hpp"

namespace dtb::brain {

struct VoxelTable {
    std::vector<std::int64_t> label;   // atlas label (majority label for grid voxels)
    std::vector<double> centre_mm;     // 3 per entry: x y z, world mm
    std::vector<double> grey_matter;   // mm^3 (atlas mask volume, or sum of GM map x voxel volume)
    std::vector<double> density_raw;   // mean of the density map's samples; NaN where it has none
    std::vector<std::uint64_t> atlas_voxels; // labelled atlas voxels that fell into the entry
    double voxel_mm = 0;               // 0 for region-level tables

    std::size_t size() const { return label.size(); }
};

/// The images the voxel table is made from. Grey-matter and density maps may
/// lie on other grids than the atlas: each atlas voxel samples them at its
/// world position (nearest voxel).
struct AtlasImages {
    const NiftiVolume* atlas = nullptr;        // required: integer labels, 0 = background
    const NiftiVolume* grey_matter = nullptr;  // optional: GM fraction/probability per voxel
    const NiftiVolume* density = nullptr;      // optional: synaptic density (PET), any positive unit
};

/// Voxel level: the labelled atlas voxels are binned into cubes of edge
/// `voxel_mm` whose centres lie at integer multiples of `voxel_mm` in world
/// coordinates (so the world origin is a voxel centre; a point exactly
/// half-way goes to the upper cube). Each cube keeps the label held by most
/// of its atlas voxels (ties: the smallest label) and the grey matter of all
/// of them. Cubes without grey matter are left out. Entries are ordered by
/// label, then by position (z, y, x), so that a region's voxels are
/// contiguous. Throws std::runtime_error naming the file for an atlas without
/// labelled voxels or with non-integer labels.
VoxelTable resample_atlas(const AtlasImages& images, double voxel_mm);

/// Region level: one entry per atlas label (ascending), centre = centroid of
/// the label's atlas voxels, grey matter and density as for resample_atlas.
VoxelTable atlas_regions(const AtlasImages& images);

} // namespace dtb::brain
