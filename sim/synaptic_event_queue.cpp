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
    Kokkos::deep_copy(checkpoint_counts_, counts_);
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

void SynapticEventQueue::clear(std::uint32_t slot)
{
    if (host_counts_(slot) == 0)
        return;
    host_counts_(slot) = 0;
    Kokkos::deep_copy(Kokkos::subview(counts_, slot), std::uint64_t(0));
}

std::uint64_t SynapticEventQueue::allocated_bytes() const
{
    return (events_.span() + counts_.span() + checkpoint_counts_.span()) * sizeof(std::uint64_t);
}

} // namespace dtb::sim
