#pragma once
// Which atlas voxels each entry of a brain model's voxel table stands for:
// the ones `dtb build-brain` summed into it. A signal given on the atlas's
// grid (an fMRI series) is averaged over these to give the entry's signal.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/brain/nifti_volume.hpp"

namespace dtb::brain {

/// Entry v covers atlas_voxel[begin[v] .. begin[v+1]), flat atlas indices
/// i + nx (j + ny k) in ascending order.
struct AtlasFootprint {
    std::vector<std::uint64_t> begin;       // entries + 1
    std::vector<std::uint64_t> atlas_voxel;

    std::size_t num_entries() const { return begin.empty() ? 0 : begin.size() - 1; }
    std::uint64_t size_of(std::size_t entry) const { return begin[entry + 1] - begin[entry]; }
};

/// The footprint of a model's voxel table (label, centre_mm and voxel_mm as
/// in brain.h5) on `atlas`, the atlas it was built from:
/// - region level (voxel_mm == 0): entry v covers the atlas voxels labelled
///   label[v];
/// - voxel level: entry v covers the labelled atlas voxels (whatever their
///   label) in the grid cube centred at centre_mm[v].
/// Throws std::runtime_error naming the atlas ("<what> <path>") when an
/// entry covers no atlas voxel: the atlas is not the one the model was built
/// from.
AtlasFootprint atlas_footprint(const NiftiVolume& atlas, const std::string& what,
    const std::vector<std::int64_t>& label, const std::vector<double>& centre_mm, double voxel_mm);

} // namespace dtb::brain
