#include "assimilation/voxel_spike_fraction.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dtb::assimilation {

VoxelSpikeFraction::VoxelSpikeFraction(
    std::vector<sim::PopulationRange> ranges, std::vector<sim::VoxelSlices> voxels, double dt_ms)
    : ranges_(std::move(ranges))
    , voxels_(std::move(voxels))
{
    if (ranges_.size() != voxels_.size() || ranges_.empty())
        throw std::invalid_argument("VoxelSpikeFraction: one voxel split per population is needed");
    const double per_ms = 1.0 / dt_ms;
    steps_per_ms_ = static_cast<std::uint64_t>(std::llround(per_ms));
    if (steps_per_ms_ == 0 || std::fabs(per_ms - static_cast<double>(steps_per_ms_)) > 1e-9 * per_ms)
        throw std::invalid_argument("VoxelSpikeFraction: dt = " + std::to_string(dt_ms) + " ms does not divide 1 ms");
    const std::size_t V = voxels_[0].num_voxels();
    voxel_size_.assign(V, 0);
    for (std::size_t p = 0; p < voxels_.size(); ++p) {
        if (voxels_[p].num_voxels() != V || voxels_[p].begin.back() != ranges_[p].size)
            throw std::invalid_argument("VoxelSpikeFraction: population " + ranges_[p].name
                + " does not match the voxel table");
        for (std::size_t v = 0; v < V; ++v)
            voxel_size_[v] += voxels_[p].size(v);
    }
}

void VoxelSpikeFraction::start_window(std::uint64_t first_step, std::uint64_t num_ms)
{
    first_step_ = first_step;
    num_ms_ = num_ms;
    counts_.assign(num_ms * voxel_size_.size(), 0);
}

void VoxelSpikeFraction::on_interval(std::uint64_t, std::uint64_t, const std::vector<sim::SpikeEvent>& spikes)
{
    const std::size_t V = voxel_size_.size();
    std::size_t population = 0;
    for (const auto& spike : spikes) {
        if (spike.step < first_step_)
            continue;
        const std::uint64_t bin = (spike.step - first_step_) / steps_per_ms_;
        if (bin >= num_ms_)
            continue;
        if (!ranges_[population].contains(spike.gid)) {
            population = 0;
            while (population < ranges_.size() && !ranges_[population].contains(spike.gid))
                ++population;
            if (population == ranges_.size()) {
                population = 0;
                continue;
            }
        }
        const std::size_t voxel = voxels_[population].voxel_of(spike.gid - ranges_[population].first_gid);
        ++counts_[bin * V + voxel];
    }
}

std::vector<double> VoxelSpikeFraction::fractions(const std::vector<std::uint64_t>& counts) const
{
    const std::size_t V = voxel_size_.size();
    std::vector<double> out(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::uint64_t size = voxel_size_[i % V];
        out[i] = size ? static_cast<double>(counts[i]) / static_cast<double>(size) : 0.0;
    }
    return out;
}

} // namespace dtb::assimilation
