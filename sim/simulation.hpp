#pragma once
// The time loop. Each step every population's neurons are advanced by a
// Kokkos kernel that reads (and clears) their slot of the input ring buffer,
// adds external drive and records spikes. Every communication interval
// (= the minimum delay, so no spike can be due inside the interval it was
// emitted in) the interval's spikes are delivered through the synapse store
// into the ring slots `delay` steps ahead, in 64-bit fixed point.
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <vector>

#include "sim/network.hpp"
#include "sim/spike_observer.hpp"

namespace dtb::sim {

class Simulation {
public:
    using ExecutionSpace = Kokkos::DefaultExecutionSpace;
    using MemorySpace = ExecutionSpace::memory_space;

    explicit Simulation(Network& network);

    /// Advances `num_steps` steps; `observer` (may be null) sees each
    /// interval's spikes.
    void advance(std::uint64_t num_steps, SpikeObserver* observer);

    std::uint64_t current_step() const { return step_; }
    std::uint32_t interval_steps() const { return interval_steps_; }

private:
    void update_neurons(std::uint64_t step, std::uint32_t offset_in_interval);
    void deliver(std::uint64_t interval_first_step, std::uint64_t num_spikes);

    Network& network_;
    std::uint32_t interval_steps_;
    std::uint32_t ring_slots_;
    std::uint64_t step_ = 0;
    // Input per (slot, local neuron, channel: 0 excitatory, 1 inhibitory).
    Kokkos::View<std::int64_t***, Kokkos::LayoutRight, MemorySpace> input_ring_;
    // Spikes of the current interval: (offset in interval << 48) | gid.
    Kokkos::View<std::uint64_t*, MemorySpace> interval_spikes_;
    Kokkos::View<std::uint64_t, MemorySpace> interval_spike_count_;
    Kokkos::View<std::uint64_t*, MemorySpace> population_first_gid_;
    std::vector<SpikeEvent> host_events_;
};

} // namespace dtb::sim
