#pragma once
// The human-readable account of a built brain model (BUNDLE/report.txt):
// what went in, what came out, and what running it will cost.
#include <cstdint>
#include <string>
#include <vector>

namespace dtb::brain {

struct BrainReport {
    // inputs
    std::string atlas_path, atlas_orientation, grey_matter_path, density_path, connectivity_path;
    std::string connectivity_format; // "tvb", "csv", "hdf5" or "" (EDR)
    std::string connectivity_kind;   // "dti" or "exponential_distance_rule"
    double voxel_mm = 0;             // 0 = region level
    double lambda_per_mm = 0;
    double velocity_m_per_s = 0;
    std::uint32_t max_sources = 0;
    std::uint32_t in_degree = 0;
    double dt_ms = 0.1;
    // voxels
    std::uint64_t num_voxels = 0, num_regions = 0;
    std::uint64_t dropped_voxels = 0;
    double dropped_grey_matter_fraction = 0;
    double grey_matter_mm3 = 0;
    // neurons
    std::uint64_t neurons = 0, excitatory = 0, inhibitory = 0;
    std::uint64_t min_neurons_per_voxel = 0, max_neurons_per_voxel = 0;
    // in-degree
    std::uint32_t min_indegree = 0, max_indegree = 0;
    double mean_indegree = 0; // neuron-weighted
    double density_reference = 0;
    std::uint64_t clamped_low = 0, clamped_high = 0, without_density = 0;
    std::uint32_t indegree_lower_bound = 0, indegree_upper_bound = 0;
    // synapses
    std::uint64_t synapses = 0, local_excitatory = 0, local_inhibitory = 0, long_range = 0;
    // connectivity
    std::uint64_t connectivity_entries = 0, empty_rows = 0, truncated_rows = 0, delays_from_distance = 0;
    double kept_weight_fraction = 1; // mean share of a row's weight kept after truncation
    std::vector<std::string> unused_connectome_labels;
    double min_delay_ms = 0, mean_delay_ms = 0, max_delay_ms = 0;
    // cost
    std::uint32_t ranks = 1;

    /// The report text (also printed by the command).
    std::string text() const;
    /// Per-rank bytes if neurons and synapses are spread evenly over `ranks`:
    /// 7.2 B per synapse (the store's 7 B + row pointers amortised), per
    /// neuron 136 B of lif_dtb state and 16 B of input accumulator, and the
    /// synaptic event queue (event_queue_bytes()).
    double bytes_per_rank() const;
    /// Delay slots of the event queue: longest delay (at least the 1 ms local
    /// delay) + 1 steps.
    std::uint32_t delay_slots() const;
    /// Whole-network event-queue estimate: delay_slots() lists of one step's
    /// events at 10 Hz mean firing, 8 B each, with the queue's 1.5x margin.
    double event_queue_bytes() const;
    std::uint32_t max_delay_steps() const;
    std::uint32_t min_delay_steps() const;
};

} // namespace dtb::brain
