#pragma once
// Synaptic events in flight, one append list per delay slot. Delivering a
// spike appends one 8-byte event per synapse to the list of the step it is due
// in; at that step the list is applied to a per-neuron accumulator (two 64-bit
// fixed-point channels per neuron) that the neuron update reads and clears.
//
// Why not a ring of per-neuron sums, (max delay + 1) x neurons x 16 bytes?
// Every synaptic event would be a random read-modify-write into that ring
// (75 MB for the cortical microcircuit), one cache miss per event. Here
// delivery writes each slot's list sequentially, and applying a list touches
// only the accumulator (16 bytes per neuron: 1.2 MB for the microcircuit), so
// both stay in cache. Memory follows the spike traffic in flight rather than
// neurons x longest delay, which matters for whole-brain models with long
// tract delays.
//
// An event packs the local target (32 bits), the projection (16 bits) and the
// synapse's weight code (16 bits); the weight is decoded into fixed point when
// the event is applied, so sums stay exact integers whatever the order.
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "sim/host_pinned_space.hpp"

namespace dtb::sim {

inline constexpr std::uint32_t max_projections_per_event_queue = 1u << 16;

KOKKOS_INLINE_FUNCTION std::uint64_t pack_synaptic_event(
    std::uint32_t target, std::uint32_t projection, std::uint16_t weight_code)
{
    return static_cast<std::uint64_t>(target) | (static_cast<std::uint64_t>(projection) << 32)
        | (static_cast<std::uint64_t>(weight_code) << 48);
}
KOKKOS_INLINE_FUNCTION std::uint32_t synaptic_event_target(std::uint64_t event)
{
    return static_cast<std::uint32_t>(event);
}
KOKKOS_INLINE_FUNCTION std::uint32_t synaptic_event_projection(std::uint64_t event)
{
    return static_cast<std::uint32_t>((event >> 32) & 0xffffu);
}
KOKKOS_INLINE_FUNCTION std::uint16_t synaptic_event_weight_code(std::uint64_t event)
{
    return static_cast<std::uint16_t>(event >> 48);
}

class SynapticEventQueue {
public:
    using MemorySpace = Kokkos::DefaultExecutionSpace::memory_space;
    using EventView = Kokkos::View<std::uint64_t**, Kokkos::LayoutRight, MemorySpace>;
    using CountView = Kokkos::View<std::uint64_t*, MemorySpace>;

    SynapticEventQueue() = default;
    /// `slots` lists (max delay + 1), each starting with room for
    /// `initial_capacity` events.
    SynapticEventQueue(std::uint32_t slots, std::uint64_t initial_capacity);

    std::uint32_t slots() const { return slots_; }
    std::uint64_t capacity() const { return events_.extent(1); }
    /// Events per slot list; a delivery kernel appends at
    /// events(slot, counts(slot)++) and must not write past capacity() (it
    /// still counts, so the overflow is seen afterwards).
    const EventView& events() const { return events_; }
    const CountView& counts() const { return counts_; }

    /// Remembers the current counts, before a delivery kernel appends.
    void checkpoint();
    /// After the delivery kernel: true when every append fit. Otherwise the
    /// counts go back to the checkpoint, the lists grow so that the attempted
    /// appends fit, and the caller runs the same delivery again.
    bool commit_or_grow();

    /// Events due in `slot` (host copy, current after commit_or_grow()).
    std::uint64_t count(std::uint32_t slot) const { return host_counts_(slot); }
    /// Empties the slots of steps [first_step, first_step + num_steps) once
    /// their events have been applied: one kernel, no wait for the device.
    /// Returns whether there was anything to clear (and a kernel ran).
    bool clear_steps(std::uint64_t first_step, std::uint32_t num_steps);

    std::uint64_t allocated_bytes() const;

private:
    std::uint32_t slots_ = 0;
    EventView events_;
    CountView counts_;
    CountView checkpoint_counts_;
    // Pinned where the backend has it (CUDA), so the copy after each
    // delivery is a direct DMA.
    Kokkos::View<std::uint64_t*, HostPinnedSpace> host_counts_;
};

} // namespace dtb::sim
