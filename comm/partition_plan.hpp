#pragma once
// How a network is split over ranks: each rank simulates one slice of each
// population. Cuts are placed on the prefix sum of a per-neuron cost (neuron
// update + expected synaptic events per step):
//   - ordinary models: one contiguous range of global ids per rank, in the
//     model's population order (ID-adjacent slices stay together), cut at
//     neuron granularity, so max/mean cost stays close to 1;
//   - brain models: one contiguous range of voxels per rank (the voxel's E
//     and I neurons together, neighbouring voxels together), cut at voxel
//     boundaries.
// Deterministic: the plan depends only on the model (and its arrays) and the
// rank count.
#include <cstdint>
#include <string>
#include <vector>

#include "dtb/sim/v1/model.pb.h"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"

namespace dtb::comm {

struct RankLoad {
    std::uint64_t neurons = 0;
    double synapses = 0;               // expected synapses onto this rank's neurons
    double cost = 0;                   // work per step, the quantity balanced
    double incoming_spikes_per_s = 0;  // spike entries received from other ranks
    int peers = 0;                     // ranks this rank receives spikes from
    double bytes_per_interval = 0;     // received per communication interval
};

struct PartitionPlan {
    int ranks = 1;
    double nominal_rate_hz = 0;
    double interval_ms = 0;
    std::vector<std::uint64_t> population_first_gid; // per population
    /// cuts[p][r]: population-local index where rank r's slice of population
    /// p begins (ranks + 1 entries per population; the last is its size).
    std::vector<std::vector<std::uint64_t>> cuts;
    std::vector<RankLoad> loads;

    int owner_of(std::uint64_t gid) const;
    /// The population-local slices rank `rank` simulates (for build_network).
    sim::NeuronSlices slices_for(int rank) const;
    std::uint64_t num_local(int rank) const;
    /// Index of `gid` among rank `rank`'s neurons (populations in model
    /// order, each slice in id order: the network's local numbering).
    std::uint64_t local_index(int rank, std::uint64_t gid) const;
    /// max/mean over ranks of a load field (1 for a perfect balance).
    static double imbalance(const std::vector<double>& per_rank);
    /// Human-readable table with imbalances (for `dtb partition`).
    std::string table() const;
};

/// Plans `ranks` ranks for a defaulted, validated model. Spike traffic is
/// estimated with every neuron firing at `nominal_rate_hz`. `source_name` is
/// the model file (brain models read their arrays relative to it).
PartitionPlan plan_partition(const sim::v1::Model& model, int ranks, double nominal_rate_hz = 5.0,
    const std::string& source_name = "");

} // namespace dtb::comm
