#pragma once
// The time loop. Each step the synaptic events due in it are summed into a
// per-neuron accumulator, then the neurons of each neuron model (all its
// populations) are advanced by one Kokkos kernel that reads (and clears) their
// accumulated input, adds external drive and records spikes. Every communication interval (= the minimum delay,
// so no spike can be due inside the interval it was emitted in) the interval's
// spikes are delivered through the synapse store as events queued `delay`
// steps ahead (sim/synaptic_event_queue.hpp); sums are 64-bit fixed point.
// The kernels are in sim/simulation_kernels.hpp; this class is their host
// side. Inside an interval nothing waits for the device: the event counts
// each step needs were copied to the host once, after the last delivery.
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <vector>

#include "sim/host_pinned_space.hpp"
#include "sim/network.hpp"
#include "sim/neuron_model_traits.hpp"
#include "sim/simulation_kernels.hpp"
#include "sim/spike_observer.hpp"
#include "sim/spike_router.hpp"
#include "sim/synaptic_event_queue.hpp"

namespace dtb::sim {

/// What the time loop asked of the device, counted (not estimated): kernel
/// launches and host synchronisations (a host wait on device work: a
/// device-to-host copy or a fence).
struct LoopCounters {
    std::uint64_t steps = 0;
    std::uint64_t kernel_launches = 0;
    std::uint64_t host_syncs = 0;
};

/// Wall time spent in each phase of the loop, seconds.
struct PhaseTimes {
    double update_s = 0;  // neuron kernels
    double route_s = 0;   // spike router (exchange with other ranks)
    double deliver_s = 0; // synapse kernels
    double record_s = 0;  // host-side copies and the observer
};

/// The neurons of one neuron model as its update kernel takes them.
template <class Params>
struct ModelNeurons {
    Kokkos::View<kernels::ModelPopulation<Params>*, Kokkos::DefaultExecutionSpace::memory_space> populations;
    Kokkos::View<kernels::NeuronChunk*, Kokkos::DefaultExecutionSpace::memory_space> chunks;
};

class Simulation {
public:
    using ExecutionSpace = Kokkos::DefaultExecutionSpace;
    using MemorySpace = ExecutionSpace::memory_space;

    /// `initial_event_capacity`: events each delay slot's list holds before it
    /// first grows; 0 picks max(1024, local neurons). Results never depend on
    /// it (tests use a tiny one to exercise the growth).
    explicit Simulation(Network& network, std::uint64_t initial_event_capacity = 0);

    /// Spikes of each interval go through `router` (not owned) before
    /// delivery; null (the default) delivers this process's own spikes.
    void set_router(SpikeRouter* router) { router_ = router; }

    /// Advances `num_steps` steps; `observer` (may be null) sees each
    /// interval's spikes.
    void advance(std::uint64_t num_steps, SpikeObserver* observer);

    std::uint64_t current_step() const { return step_; }
    std::uint32_t interval_steps() const { return interval_steps_; }
    const PhaseTimes& phase_times() const { return times_; }
    const LoopCounters& loop_counters() const { return counters_; }
    /// Bytes of the synaptic event lists and the input accumulator.
    std::uint64_t input_buffer_bytes() const
    {
        return event_queue_.allocated_bytes() + input_accumulator_.span() * sizeof(std::int64_t);
    }

private:
    using EntryView = Kokkos::View<std::uint64_t*, MemorySpace>;
    // Sums the events due at `step` into the accumulator.
    void apply_due_events(std::uint64_t step);
    void update_neurons(std::uint64_t step, std::uint32_t offset_in_interval);
    // Queues the synaptic events of an interval's spikes (growing the queue
    // and re-running when it is full).
    void deliver(const EntryView& entries, std::uint64_t num_entries, std::uint64_t interval_first_step);
    // Copies this interval's local spikes to host_entries_.
    void copy_local_spikes_to_host(std::uint64_t num_spikes);

    Network& network_;
    std::uint32_t interval_steps_;
    std::uint64_t step_ = 0;
    SynapticEventQueue event_queue_;
    // Input of the current step per (local neuron, channel: 0 excitatory, 1 inhibitory).
    Kokkos::View<std::int64_t*[2], Kokkos::LayoutRight, MemorySpace> input_accumulator_;
    // Spikes of the current interval: (offset in interval << 48) | gid.
    Kokkos::View<std::uint64_t*, MemorySpace> interval_spikes_;
    Kokkos::View<std::uint64_t, MemorySpace> interval_spike_count_;
    // Its copy on the host, read once per interval; page-locked on CUDA, so
    // allocated once (advance() runs once per progress chunk).
    Kokkos::View<std::uint64_t, HostPinnedSpace> interval_spike_count_host_;
    Kokkos::View<std::uint64_t*, MemorySpace> population_first_gid_;
    // Populations of each neuron model, one update kernel per model (the
    // parameters are copied here at construction).
    ModelNeurons<IafPscExpParams> iaf_neurons_;
    ModelNeurons<LifDtbParams> lif_neurons_;
    SpikeRouter* router_ = nullptr;
    std::vector<SpikeEntry> host_entries_;
    std::vector<SpikeEntry> routed_entries_;
    EntryView routed_entries_device_;
    std::vector<SpikeEvent> host_events_;
    PhaseTimes times_;
    LoopCounters counters_;
};

} // namespace dtb::sim
