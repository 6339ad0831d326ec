#pragma once
// The HMDA observation operator's input: per voxel and per 1 ms bin, the
// fraction of the voxel's neurons (E and I together) that spiked. An
// observer of one network process; it counts the spikes it is shown (this
// process's own on a multi-rank member: sum counts() over the member's ranks).
#include <cstdint>
#include <vector>

#include "sim/population_range.hpp"
#include "sim/spike_observer.hpp"
#include "sim/voxel_connection_rules.hpp"

namespace dtb::assimilation {

class VoxelSpikeFraction final : public sim::SpikeObserver {
public:
    /// `ranges` and `voxels` per population (same order; every population of
    /// a brain model is split by voxel); `dt_ms` must divide 1 ms.
    VoxelSpikeFraction(std::vector<sim::PopulationRange> ranges, std::vector<sim::VoxelSlices> voxels, double dt_ms);

    /// Starts counting `num_ms` bins of 1 ms from simulation step `first_step`
    /// (clears the counts). Spikes outside the window are ignored.
    void start_window(std::uint64_t first_step, std::uint64_t num_ms);

    void on_interval(std::uint64_t first_step, std::uint64_t num_steps,
        const std::vector<sim::SpikeEvent>& spikes) override;

    std::size_t num_voxels() const { return voxel_size_.size(); }
    std::uint64_t num_bins() const { return num_ms_; }
    std::uint64_t steps_per_ms() const { return steps_per_ms_; }
    /// Spike counts [bin * V + voxel].
    const std::vector<std::uint64_t>& counts() const { return counts_; }
    /// Neurons per voxel over all populations.
    const std::vector<std::uint64_t>& voxel_sizes() const { return voxel_size_; }
    /// counts / voxel size, [bin * V + voxel]; `counts` defaults to this one's.
    std::vector<double> fractions(const std::vector<std::uint64_t>& counts) const;
    std::vector<double> fractions() const { return fractions(counts_); }

private:
    std::vector<sim::PopulationRange> ranges_;
    std::vector<sim::VoxelSlices> voxels_;
    std::vector<std::uint64_t> voxel_size_;
    std::uint64_t steps_per_ms_ = 10;
    std::uint64_t first_step_ = 0;
    std::uint64_t num_ms_ = 0;
    std::vector<std::uint64_t> counts_;
};

} // namespace dtb::assimilation
