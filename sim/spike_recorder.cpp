#include "sim/spike_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dtb::sim {

SpikeRecorder::SpikeRecorder(std::vector<PopulationRange> populations, double dt_ms, std::uint64_t first_step,
    std::uint64_t num_steps, std::uint64_t rate_bin_steps, bool keep_events)
    : populations_(std::move(populations))
    , dt_ms_(dt_ms)
    , first_step_(first_step)
    , num_steps_(num_steps)
    , rate_bin_steps_(std::max<std::uint64_t>(1, rate_bin_steps))
    , keep_events_(keep_events)
{
    const std::uint64_t bins = (num_steps_ + rate_bin_steps_ - 1) / rate_bin_steps_;
    bin_counts_.assign(populations_.size(), std::vector<std::uint64_t>(bins, 0));
    std::uint64_t neurons = 0;
    for (const auto& p : populations_)
        neurons = std::max(neurons, p.first_gid + p.size);
    last_spike_.assign(neurons, 0);
    isi_count_.assign(neurons, 0);
    isi_sum_.assign(neurons, 0.0);
    isi_sum_squares_.assign(neurons, 0.0);
}

std::size_t SpikeRecorder::population_of(std::uint64_t gid) const
{
    const auto it = std::upper_bound(populations_.begin(), populations_.end(), gid,
        [](std::uint64_t g, const PopulationRange& p) { return g < p.first_gid; });
    return static_cast<std::size_t>(it - populations_.begin()) - 1;
}

void SpikeRecorder::on_interval(std::uint64_t, std::uint64_t, const std::vector<SpikeEvent>& spikes)
{
    for (const auto& e : spikes) {
        if (e.step < first_step_ || e.step >= first_step_ + num_steps_)
            continue;
        ++spike_count_;
        const std::uint64_t words[2] = {e.step, e.gid};
        for (std::uint64_t w : words)
            for (int b = 0; b < 8; ++b) {
                digest_ ^= (w >> (8 * b)) & 0xFFu;
                digest_ *= 0x100000001b3ull;
            }
        if (keep_events_)
            events_.push_back(e);
        bin_counts_[population_of(e.gid)][(e.step - first_step_) / rate_bin_steps_]++;
        if (last_spike_[e.gid] != 0) {
            const double isi = static_cast<double>(e.step + 1 - last_spike_[e.gid]) * dt_ms_;
            ++isi_count_[e.gid];
            isi_sum_[e.gid] += isi;
            isi_sum_squares_[e.gid] += isi * isi;
        }
        last_spike_[e.gid] = e.step + 1;
    }
}

std::string SpikeRecorder::digest_hex() const
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(digest_));
    return text;
}

std::vector<std::vector<double>> SpikeRecorder::binned_rates_hz() const
{
    std::vector<std::vector<double>> rates(populations_.size());
    for (std::size_t p = 0; p < populations_.size(); ++p) {
        const auto& counts = bin_counts_[p];
        rates[p].resize(counts.size());
        for (std::size_t b = 0; b < counts.size(); ++b) {
            const std::uint64_t bin_start = b * rate_bin_steps_;
            const std::uint64_t bin_steps = std::min(rate_bin_steps_, num_steps_ - bin_start);
            const double seconds = static_cast<double>(bin_steps) * dt_ms_ * 1e-3;
            rates[p][b] = static_cast<double>(counts[b]) / (static_cast<double>(populations_[p].size) * seconds);
        }
    }
    return rates;
}

std::vector<PopulationSpikeStatistics> SpikeRecorder::population_statistics() const
{
    std::vector<PopulationSpikeStatistics> stats;
    const double seconds = static_cast<double>(num_steps_) * dt_ms_ * 1e-3;
    for (std::size_t p = 0; p < populations_.size(); ++p) {
        const auto& range = populations_[p];
        PopulationSpikeStatistics s;
        s.name = range.name;
        s.size = range.size;
        std::uint64_t total = 0;
        for (auto c : bin_counts_[p])
            total += c;
        s.rate_hz = seconds > 0 ? static_cast<double>(total) / (static_cast<double>(range.size) * seconds) : 0.0;
        double cv_sum = 0;
        std::uint64_t cv_neurons = 0;
        for (std::uint64_t gid = range.first_gid; gid < range.first_gid + range.size; ++gid) {
            if (isi_count_[gid] < 2)
                continue;
            const double n = isi_count_[gid];
            const double mean = isi_sum_[gid] / n;
            const double variance = std::max(0.0, isi_sum_squares_[gid] / n - mean * mean);
            cv_sum += std::sqrt(variance) / mean;
            ++cv_neurons;
        }
        s.cv_isi = cv_neurons > 0 ? cv_sum / static_cast<double>(cv_neurons) : std::numeric_limits<double>::quiet_NaN();
        stats.push_back(s);
    }
    return stats;
}

} // namespace dtb::sim
