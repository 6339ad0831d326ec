#pragma once
// A region x region connectome (DTI) mapped onto the voxels of a model.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/brain/voxel_connectivity.hpp"

namespace dtb::brain {

/// Row v (voxel in region r) is region r's row of `weights` (R x R, row =
/// target, column = source) with the diagonal zeroed, restricted to regions
/// that have voxels, normalised to sum 1, and each region s's share split
/// over the voxels of s in proportion to their excitatory neurons (count_e).
/// So per synapse: region s with probability W[r][s] / sum_s W[r][s], then a
/// neuron uniformly among the E neurons of s, exactly as the region-level
/// connectome says. Voxels of the same region do not connect long-range.
///
/// A row keeps at most `max_sources` entries. When the full row is longer,
/// its slots are shared out over the source regions: every region with
/// weight > 0 gets one (if there are more regions than slots, the
/// max_sources strongest regions, ties to the lower index), the rest in
/// proportion to the region weights without exceeding a region's voxel
/// count (largest remainder, repeated while regions are full). A region
/// with m slots and n > m voxels contributes m voxels evenly spaced through
/// its voxel list, offset differently per target voxel (so that the target
/// voxels of a region together draw on all of it); its share W[r][s] is
/// split over them in proportion to count_e. Region shares stay exact.
///
/// Delays: tract_lengths_mm[r][s] / velocity when tract lengths are given
/// and > 0, otherwise the distance between the two voxel centres / velocity.
VoxelConnectivity map_region_connectivity(const std::vector<std::size_t>& region_of_voxel, std::size_t num_regions,
    const std::vector<double>& weights, const std::vector<double>& tract_lengths_mm,
    const std::vector<double>& centre_mm, const std::vector<std::uint64_t>& count_e,
    const ConnectivitySettings& settings);

} // namespace dtb::brain
