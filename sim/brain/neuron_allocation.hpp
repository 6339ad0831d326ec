#pragma once
// Neurons per voxel: proportional to grey matter with the total preserved
// exactly (largest remainder), E:I = 4:1 per voxel (references.md section 2),
// and only voxels large enough for their local in-degree.
#include <cstdint>
#include <vector>

namespace dtb::brain {

/// A voxel's in-degree K_v split into local E, local I and long-range
/// (E-only) synapses in the DTB's 4/7, 1/7, 2/7 shares, rounded together by
/// largest remainder so that they sum to K_v exactly. This is the rounding the
/// engine applies to the voxel_local / voxel_dti projections of the bundle.
struct InDegreeSplit {
    std::uint32_t local_e = 0;
    std::uint32_t local_i = 0;
    std::uint32_t long_range = 0;
};
InDegreeSplit split_indegree(std::uint32_t indegree);

/// Smallest neuron count n whose E/I split (excitatory_share) holds the local
/// sources of every neuron without autapses: E >= local_e + 1, I >= local_i + 1.
std::uint64_t minimum_neurons_for(std::uint32_t indegree);

struct NeuronAllocation {
    std::vector<std::uint64_t> count_e, count_i; // per input voxel; 0 for dropped voxels
    std::vector<bool> kept;
    std::uint64_t num_dropped = 0;
    double dropped_grey_matter = 0;              // sum over dropped voxels
};

/// Allocates `total` neurons over the voxels in proportion to grey matter.
/// A voxel whose share is below minimum_neurons_for(K_v) cannot hold its
/// local in-degree; it is dropped and the total re-allocated over the rest,
/// until every kept voxel is large enough. Among the kept voxels the counts
/// are largest_remainder(total, grey matter) exactly. Throws
/// std::runtime_error when more than half of the grey matter would be dropped
/// (the message says how many neurons would suffice).
NeuronAllocation allocate_neurons(std::uint64_t total, const std::vector<double>& grey_matter,
    const std::vector<std::uint32_t>& indegree);

} // namespace dtb::brain
