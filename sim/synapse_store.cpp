#include "sim/synapse_store.hpp"

#include <algorithm>
#include <cstring>

namespace dtb::sim {

namespace {
// Copies host vectors into one device view at the given offsets, releasing
// each vector's memory right after its copy to keep the construction peak low.
template <class T, class Member>
Kokkos::View<T*, SynapseStore::MemorySpace> concatenate(
    const char* label, std::vector<ProjectionSynapseBlock>& blocks, Member member, std::uint64_t total)
{
    Kokkos::View<T*, SynapseStore::MemorySpace> device(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), total);
    auto host = Kokkos::create_mirror_view(device);
    std::uint64_t offset = 0;
    for (auto& block : blocks) {
        auto& values = block.*member;
        if (!values.empty())
            std::memcpy(host.data() + offset, values.data(), values.size() * sizeof(T));
        offset += values.size();
        std::vector<T>().swap(values);
    }
    Kokkos::deep_copy(device, host);
    return device;
}
} // namespace

SynapseStore::SynapseStore(std::vector<ProjectionSynapseBlock>&& blocks,
    const std::vector<std::uint32_t>& source_population, std::size_t num_populations)
{
    std::uint64_t rows = 0;
    for (auto& block : blocks) {
        block.meta.row_begin = rows;
        rows += block.row_ptr.size();
        // Row pointers become global offsets into the concatenated arrays.
        for (auto& r : block.row_ptr)
            r += num_synapses_;
        num_synapses_ += block.targets.size();
    }

    auto projections_host = Kokkos::View<ProjectionSynapses*, Kokkos::HostSpace>("projections", blocks.size());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        projections_host(i) = blocks[i].meta;
        // Delivery reserves event-list space per delay code (one histogram
        // bin per code); the codes in use follow from the largest delay.
        const auto& meta = blocks[i].meta;
        const std::uint32_t span = blocks[i].max_delay_steps > meta.delay_base_steps
            ? (blocks[i].max_delay_steps - meta.delay_base_steps) / std::max<std::uint32_t>(1, meta.delay_steps_per_code)
            : 0;
        projections_host(i).num_delay_codes = std::min<std::uint32_t>(span + 1, 256);
    }
    projections = Kokkos::create_mirror_view_and_copy(MemorySpace(), projections_host);

    // Outgoing projections per source population (CSR).
    std::vector<std::uint32_t> ptr(num_populations + 1, 0);
    for (auto p : source_population)
        ++ptr[p + 1];
    for (std::size_t p = 0; p < num_populations; ++p)
        ptr[p + 1] += ptr[p];
    std::vector<std::uint32_t> list(blocks.size());
    std::vector<std::uint32_t> fill(ptr.begin(), ptr.end() - 1);
    for (std::size_t i = 0; i < blocks.size(); ++i)
        list[fill[source_population[i]]++] = static_cast<std::uint32_t>(i);
    Kokkos::View<std::uint32_t*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> ptr_host(ptr.data(), ptr.size());
    Kokkos::View<std::uint32_t*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> list_host(list.data(), list.size());
    outgoing_ptr = Kokkos::View<std::uint32_t*, MemorySpace>("outgoing_ptr", ptr.size());
    outgoing = Kokkos::View<std::uint32_t*, MemorySpace>("outgoing", list.size());
    Kokkos::deep_copy(outgoing_ptr, ptr_host);
    Kokkos::deep_copy(outgoing, list_host);

    row_ptr = concatenate<std::uint64_t>("row_ptr", blocks, &ProjectionSynapseBlock::row_ptr, rows);
    targets = concatenate<std::uint32_t>("targets", blocks, &ProjectionSynapseBlock::targets, num_synapses_);
    weight_codes = concatenate<std::uint16_t>("weight_codes", blocks, &ProjectionSynapseBlock::weight_codes, num_synapses_);
    delay_codes = concatenate<std::uint8_t>("delay_codes", blocks, &ProjectionSynapseBlock::delay_codes, num_synapses_);
}

std::vector<std::uint64_t> SynapseStore::source_gids_with_synapses() const
{
    auto meta = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), projections);
    auto rows = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), row_ptr);
    std::vector<std::uint64_t> gids;
    for (std::size_t p = 0; p < meta.extent(0); ++p)
        for (std::uint64_t s = 0; s < meta(p).source_size; ++s)
            if (rows(meta(p).row_begin + s + 1) > rows(meta(p).row_begin + s))
                gids.push_back(meta(p).source_first_gid + s);
    std::sort(gids.begin(), gids.end());
    gids.erase(std::unique(gids.begin(), gids.end()), gids.end());
    return gids;
}

std::uint64_t SynapseStore::allocated_bytes() const
{
    return row_ptr.span() * sizeof(std::uint64_t) + targets.span() * sizeof(std::uint32_t)
        + weight_codes.span() * sizeof(std::uint16_t) + delay_codes.span() * sizeof(std::uint8_t)
        + projections.span() * sizeof(ProjectionSynapses) + (outgoing_ptr.span() + outgoing.span()) * sizeof(std::uint32_t);
}

} // namespace dtb::sim
