#pragma once
// How a network is split over ranks. Each rank simulates one contiguous range
// of global neuron ids, i.e. one slice of each population it touches; ranges
// follow the model's population order, so ID-adjacent slices (a voxel's E and
// I populations, neighbouring voxels) stay together. Cuts are placed on the
// prefix sum of a per-neuron cost (neuron update + expected synaptic events
// per step), at neuron granularity, which keeps max/mean cost close to 1
// wherever ranks <= neurons. Deterministic: the plan depends only on the
// model and the rank count.
#include <cstdint>
#include <string>
#include <vector>

#include "dtb/sim/v1/model.pb.h"
#include "sim/network.hpp"

namespace dtb::comm {

struct RankLoad {
    std::uint64_t first_gid = 0;
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
    std::vector<std::uint64_t> rank_first_gid; // ranks + 1 entries; rank r owns [r], [r+1])
    std::vector<RankLoad> loads;

    int owner_of(std::uint64_t gid) const;
    /// The population-local slices rank `rank` simulates (for build_network).
    sim::NeuronSlices slices_for(int rank, const std::vector<sim::PopulationRange>& populations) const;
    /// max/mean over ranks of a load field (1 for a perfect balance).
    static double imbalance(const std::vector<double>& per_rank);
    /// Human-readable table with imbalances (for `dtb partition`).
    std::string table() const;
};

/// Plans `ranks` ranks for a defaulted, validated model. Spike traffic is
/// estimated with every neuron firing at `nominal_rate_hz`.
PartitionPlan plan_partition(const sim::v1::Model& model, int ranks, double nominal_rate_hz = 5.0);

} // namespace dtb::comm
