#include "sim/synaptic_event_queue.hpp"

#include <algorithm>

namespace dtb::sim {

SynapticEventQueue::SynapticEventQueue(std::uint32_t slots, std::uint64_t initial_capacity)
    : slots_(slots)
    , events_(Kokkos::view_alloc("synaptic_events", Kokkos::WithoutInitializing), slots,
          std::max<std::uint64_t>(1, initial_capacity))
    , counts_("synaptic_event_counts", slots)
    , checkpoint_counts_("synaptic_event_checkpoint", slots)
    , host_counts_("synaptic_event_counts_host", slots)
{
}

void SynapticEventQueue::checkpoint()
{
    // Ordered on the execution space, no host wait.
    Kokkos::deep_copy(Kokkos::DefaultExecutionSpace(), checkpoint_counts_, counts_);
}

bool SynapticEventQueue::commit_or_grow()
{
    Kokkos::deep_copy(host_counts_, counts_); // fences
    std::uint64_t needed = 0;
    for (std::uint32_t s = 0; s < slots_; ++s)
        needed = std::max(needed, host_counts_(s));
    if (needed <= capacity())
        return true;
    Kokkos::deep_copy(counts_, checkpoint_counts_);
    Kokkos::deep_copy(host_counts_, checkpoint_counts_);
    // Room for this delivery and a margin, so growth stays rare: the lists
    // settle at the busiest slot's load of the run.
    Kokkos::resize(events_, slots_, needed + needed / 2);
    return false;
}

bool SynapticEventQueue::clear_steps(std::uint64_t first_step, std::uint32_t num_steps)
{
    bool any = false;
    for (std::uint32_t k = 0; k < num_steps; ++k) {
        auto& count = host_counts_((first_step + k) % slots_);
        any = any || count != 0;
        count = 0;
    }
    if (!any)
        return false;
    const auto counts = counts_;
    const std::uint64_t slots = slots_;
    Kokkos::parallel_for("dtb::clear_event_slots",
        Kokkos::RangePolicy<Kokkos::DefaultExecutionSpace>(0, num_steps),
        KOKKOS_LAMBDA(const std::uint32_t k) { counts((first_step + k) % slots) = 0; });
    return true;
}

std::uint64_t SynapticEventQueue::allocated_bytes() const
{
    return (events_.span() + counts_.span() + checkpoint_counts_.span()) * sizeof(std::uint64_t);
}

} // namespace dtb::sim
