#pragma once
// Receives the spikes of each communication interval, sorted by (step, gid).
#include <cstdint>
#include <vector>

#include "sim/population_range.hpp"

namespace dtb::sim {

class SpikeObserver {
public:
    virtual ~SpikeObserver() = default;
    /// Steps [first_step, first_step + num_steps) are done; `spikes` are all
    /// spikes emitted in them, sorted by (step, gid).
    virtual void on_interval(std::uint64_t first_step, std::uint64_t num_steps,
        const std::vector<SpikeEvent>& spikes) = 0;
};

} // namespace dtb::sim
