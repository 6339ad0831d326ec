#pragma once
// summary.json of a run: sizes, timings, memory and spike statistics.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/spike_recorder.hpp"

namespace dtb::app {

/// What one rank did (for scaling studies: where the time went).
struct RankSummary {
    int rank = 0;
    std::uint64_t neurons = 0;
    std::uint64_t synapses = 0;
    double build_s = 0;
    double update_s = 0;
    double route_s = 0;   // spike exchange, including mpi_s
    double mpi_s = 0;     // inside MPI calls (waiting for peers included)
    double deliver_s = 0;
    double record_s = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t messages_sent = 0;
    std::uint64_t intervals = 0; // spike exchanges (warm-up included)
    std::uint64_t peak_rss_bytes = 0;
    std::uint64_t input_buffer_bytes = 0; // synaptic event queue + input accumulator, at the end
    // Counted by the time loop over every step (warm-up included).
    double kernel_launches_per_step = 0;
    double host_syncs_per_step = 0;
};

struct RunSummary {
    std::string model;
    std::uint64_t neurons = 0;
    std::uint64_t synapses = 0;
    double dt_ms = 0;
    double interval_ms = 0; // communication interval (the minimum delay)
    double t_stop_ms = 0;
    double warmup_ms = 0;
    std::uint64_t seed = 0;
    int ranks = 1;
    std::string exchange = "none";
    std::string backend;
    double build_s = 0;
    double sim_s = 0;
    std::uint64_t synapse_bytes = 0;
    std::uint64_t peak_rss_bytes = 0; // the largest of any rank
    std::uint64_t spike_count = 0;
    std::string spikes_digest;
    std::vector<sim::PopulationSpikeStatistics> populations;
    std::vector<RankSummary> per_rank;
};

/// The summary as JSON text (rtf and bytes_per_synapse derived here).
std::string summary_json(const RunSummary& summary);

/// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_rss_bytes();

} // namespace dtb::app
