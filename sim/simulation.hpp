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
#include "sim/spike_router.hpp"

namespace dtb::sim {

/// Wall time spent in each phase of the loop, seconds.
struct PhaseTimes {
    double update_s = 0;  // neuron kernels
    double route_s = 0;   // spike router (exchange with other ranks)
    double deliver_s = 0; // synapse kernels
    double record_s = 0;  // host-side copies and the observer
};

class Simulation {
public:
    using ExecutionSpace = Kokkos::DefaultExecutionSpace;
    using MemorySpace = ExecutionSpace::memory_space;

    explicit Simulation(Network& network);

    /// Spikes of each interval go through `router` (not owned) before
    /// delivery; null (the default) delivers this process's own spikes.
    void set_router(SpikeRouter* router) { router_ = router; }

    /// Advances `num_steps` steps; `observer` (may be null) sees each
    /// interval's spikes.
    void advance(std::uint64_t num_steps, SpikeObserver* observer);

    std::uint64_t current_step() const { return step_; }
    std::uint32_t interval_steps() const { return interval_steps_; }
    const PhaseTimes& phase_times() const { return times_; }

private:
    using EntryView = Kokkos::View<std::uint64_t*, MemorySpace>;
    void update_neurons(std::uint64_t step, std::uint32_t offset_in_interval);
    void deliver(const EntryView& entries, std::uint64_t num_entries, std::uint64_t interval_first_step);
    // Copies this interval's local spikes to host_entries_.
    void copy_local_spikes_to_host(std::uint64_t num_spikes);

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
    SpikeRouter* router_ = nullptr;
    std::vector<SpikeEntry> host_entries_;
    std::vector<SpikeEntry> routed_entries_;
    EntryView routed_entries_device_;
    std::vector<SpikeEvent> host_events_;
    PhaseTimes times_;
};

} // namespace dtb::sim
