#pragma once
// Collects what a run reports about its spikes: the canonical digest, per
// population rates (binned and mean) and ISI irregularity, and optionally the
// spikes themselves for the SONATA file. Works on global (step, gid) events,
// so the same recorder serves one process or the gathered spikes of many.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/population_range.hpp"
#include "sim/spike_observer.hpp"

namespace dtb::sim {

struct PopulationSpikeStatistics {
    std::string name;
    std::uint64_t size = 0;
    double rate_hz = 0; // spikes per neuron per second over the recorded time
    double cv_isi = 0;  // mean over neurons with >= 2 ISIs of std(ISI)/mean(ISI); NaN if none
};

class SpikeRecorder : public SpikeObserver {
public:
    /// Records steps [first_step, first_step + num_steps); earlier spikes
    /// (a warm-up) are ignored. Rates are binned in `rate_bin_steps`.
    SpikeRecorder(std::vector<PopulationRange> populations, double dt_ms, std::uint64_t first_step,
        std::uint64_t num_steps, std::uint64_t rate_bin_steps, bool keep_events);

    void on_interval(std::uint64_t first_step, std::uint64_t num_steps, const std::vector<SpikeEvent>& spikes) override;

    std::uint64_t spike_count() const { return spike_count_; }
    /// FNV-1a 64 over the little-endian (uint64 step, uint64 gid) pairs of all
    /// recorded spikes in (step, gid) order, as 16 hex digits.
    std::string digest_hex() const;
    const std::vector<SpikeEvent>& events() const { return events_; }
    /// rates_hz[population][bin]; the last bin may be shorter and is scaled by its length.
    std::vector<std::vector<double>> binned_rates_hz() const;
    std::vector<PopulationSpikeStatistics> population_statistics() const;
    const std::vector<PopulationRange>& populations() const { return populations_; }
    double rate_bin_ms() const { return static_cast<double>(rate_bin_steps_) * dt_ms_; }

private:
    std::size_t population_of(std::uint64_t gid) const;

    std::vector<PopulationRange> populations_;
    double dt_ms_;
    std::uint64_t first_step_;
    std::uint64_t num_steps_;
    std::uint64_t rate_bin_steps_;
    bool keep_events_;
    std::uint64_t spike_count_ = 0;
    std::uint64_t digest_ = 0xcbf29ce484222325ull;
    std::vector<SpikeEvent> events_;
    std::vector<std::vector<std::uint64_t>> bin_counts_;
    // Per neuron: last spike step + 1 (0 = none yet), ISI count, sums.
    std::vector<std::uint64_t> last_spike_;
    std::vector<std::uint32_t> isi_count_;
    std::vector<double> isi_sum_;
    std::vector<double> isi_sum_squares_;
};

} // namespace dtb::sim
