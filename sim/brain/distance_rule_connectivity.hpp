#pragma once
// The exponential distance rule (EDR): a STAND-IN connectome for when no
// measured (DTI) connectivity is given (references.md section 6). It only
// encodes that connections become rarer with distance; it is not anatomy.
#include <cstdint>
#include <vector>

#include "sim/brain/voxel_connectivity.hpp"

namespace dtb::brain {

/// The probability that a given pair of neurons connects falls as
/// exp(-lambda d) with the distance d between their voxel centres, so the
/// weight of source voxel u in row v is proportional to
/// count_e[u] x exp(-lambda d(v, u)) (only E neurons are long-range sources).
/// Each row keeps its `max_sources` largest weights (ties: the lower voxel
/// index) and is normalised to sum 1. Delay = d / velocity.
VoxelConnectivity exponential_distance_rule(const std::vector<double>& centre_mm,
    const std::vector<std::uint64_t>& count_e, double lambda_per_mm, const ConnectivitySettings& settings);

} // namespace dtb::brain
