#pragma once
// In-degree per voxel from a synaptic-density map (SV2A PET in the DTB,
// references.md section 2): K_v = K x density_v / reference, bounded to
// [0.7 K, 1.3 K] ([70, 130] for K = 100).
#include <cstdint>
#include <string>
#include <vector>

namespace dtb::brain {

struct InDegreeScaling {
    std::vector<std::uint32_t> indegree;   // K_v
    std::vector<double> relative_density;  // density_v / reference (1 where the map had no value)
    double reference = 1;                  // grey-matter-weighted mean of the raw density
    std::uint32_t lower_bound = 0, upper_bound = 0;
    std::uint64_t clamped_low = 0, clamped_high = 0;
    std::uint64_t without_density = 0;     // voxels where the map had no finite value
};

/// Without a map (`density_raw` empty): K_v = K, relative density 1.
/// With one: reference = sum_v g_v d_v / sum_v g_v over the voxels with a
/// finite density (g = grey matter), i.e. the mean density per unit of grey
/// matter, so that the neuron-weighted mean in-degree stays about K before
/// bounding; voxels without a value get the reference (relative density 1).
/// K_v = round(K d_v / reference) (halves up) clamped to [ceil(0.7 K), floor(1.3 K)] and
/// to at least 1. Throws std::runtime_error when no voxel has a positive
/// density (the message names `density_path`).
InDegreeScaling scale_indegree_by_density(std::uint32_t in_degree, const std::vector<double>& density_raw,
    const std::vector<double>& grey_matter, const std::string& density_path);

} // namespace dtb::brain
