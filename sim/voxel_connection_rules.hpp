#pragma once
// Connection rules of whole-brain models (references.md section 2), drawn per
// target neuron from the counter-based RNG like the generic rules:
//   voxel_local  k sources without replacement from the target's own voxel
//                (its slice of the source population), no autapses;
//   voxel_dti    k sources whose voxels are drawn from the target voxel's row
//                of the connectivity (alias table over the row weights), each
//                neuron uniform within its voxel, no duplicate sources; the
//                delay is the connectivity's delay of that voxel pair.
// k is the projection's share of the voxel's in-degree K_v
// (voxel_projection_counts).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/alias_table.hpp"
#include "sim/brain_arrays.hpp"

namespace dtb::sim {

/// Where each voxel's neurons sit in one population: voxel v owns the
/// population-local indices [begin[v], begin[v+1]).
struct VoxelSlices {
    std::vector<std::uint64_t> begin;

    static VoxelSlices from_counts(const std::vector<std::uint64_t>& counts);
    std::size_t num_voxels() const { return begin.size() - 1; }
    std::size_t voxel_of(std::uint64_t local_index) const;
    std::uint64_t size(std::size_t voxel) const { return begin[voxel + 1] - begin[voxel]; }
};

/// Alias tables over the rows of the connectivity (one per target voxel;
/// empty for rows without connections).
std::vector<AliasTable> connectivity_row_tables(const BrainArrays& arrays);

/// Per voxel, the in-degree of each of `fractions` (the voxel projections onto
/// one target population): K_v x fraction, rounded by largest remainder so
/// the counts of a voxel sum to round(K_v x sum(fractions)).
std::vector<std::vector<std::uint32_t>> voxel_projection_counts(
    const std::vector<std::uint32_t>& indegree, const std::vector<double>& fractions);

struct VoxelProjectionTopology {
    bool long_range = false; // voxel_dti
    std::uint32_t projection_index = 0;
    std::uint64_t seed = 0;
    std::uint64_t target_first_gid = 0;
    std::uint64_t source_first_gid = 0;
    bool same_population = false;
    const VoxelSlices* source = nullptr;
    const VoxelSlices* target = nullptr;
    const std::vector<std::uint32_t>* counts = nullptr; // per target voxel
    const BrainArrays* arrays = nullptr;                // voxel_dti
    const std::vector<AliasTable>* row_tables = nullptr; // voxel_dti
};

/// Appends the sources (population-local indices) of target `target_local`
/// (population-local) and, for voxel_dti, the delay in ms of each.
void draw_voxel_sources(const VoxelProjectionTopology& projection, std::uint64_t target_local,
    std::vector<std::uint64_t>& sources, std::vector<double>& delays_ms);

/// Checks that every voxel can supply its draws (enough distinct sources,
/// a non-empty connectivity row); returns an error message or "".
std::string check_voxel_projection(const VoxelProjectionTopology& projection);

} // namespace dtb::sim
