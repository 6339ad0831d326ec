#pragma once
// Brings every rank's spikes to the root for recording: buffers the local
// spikes of each interval and, at flush(), gathers them on `root`, merges
// them into (step, gid) order and hands them to the root's observer. Flushes
// are collective and happen at the same steps on every rank.
#include <cstdint>
#include <vector>

#include "comm/communicator.hpp"
#include "sim/spike_observer.hpp"

namespace dtb::comm {

class SpikeGather final : public sim::SpikeObserver {
public:
    /// `downstream` is used on `root` only (may be null elsewhere).
    SpikeGather(Communicator& comm, sim::SpikeObserver* downstream, int root = 0);

    void on_interval(std::uint64_t first_step, std::uint64_t num_steps, const std::vector<sim::SpikeEvent>& spikes) override;
    /// Collective: delivers everything buffered since the last flush.
    void flush();

private:
    Communicator& comm_;
    sim::SpikeObserver* downstream_;
    int root_;
    std::uint64_t first_step_ = 0;
    std::uint64_t num_steps_ = 0;
    std::vector<std::uint64_t> buffered_; // step, gid pairs
    std::vector<sim::SpikeEvent> merged_;
};

} // namespace dtb::comm
