#pragma once
// Whole numbers in proportion to weights, summing exactly to a total: the
// largest-remainder (Hamilton) method. Used for neurons per voxel, for the
// E/I split and for the in-degree shares of the voxel projections.
#include <cstdint>
#include <vector>

namespace dtb::brain {

/// counts[v] = floor(total w_v / W) plus one for the (total - sum of floors)
/// entries with the largest remainders (ties: the lower index). Sums to
/// `total` exactly; |counts[v] - total w_v / W| < 1. Weights must be finite,
/// >= 0, with a positive sum (std::invalid_argument otherwise).
std::vector<std::uint64_t> largest_remainder(std::uint64_t total, const std::vector<double>& weights);

/// Excitatory neurons of a voxel with n neurons: round(4n/5), halves up, so
/// E:I = 4:1 exactly up to rounding; the rest are inhibitory.
inline std::uint64_t excitatory_share(std::uint64_t n) { return (4 * n + 2) / 5; }

} // namespace dtb::brain
