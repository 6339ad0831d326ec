#pragma once
// Synapses onto this rank's neurons, grouped by presynaptic neuron (CSR), one
// block of rows per projection. Per synapse 7 bytes: a 32-bit local target
// index, a 16-bit weight code and an 8-bit delay code, both relative to the
// projection's range (sim/synapse_value_codec.hpp). Row pointers are 64-bit,
// one per source neuron and projection. A spike of a source neuron walks its
// row of each outgoing projection: sequential reads of the synapse arrays.
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <vector>

namespace dtb::sim {

/// What every synapse of a projection shares (device-copyable).
struct ProjectionSynapses {
    std::uint64_t source_first_gid = 0;
    std::uint64_t source_size = 0;
    std::uint64_t row_begin = 0;        // index of this projection's first row pointer
    std::int64_t weight_base_fx = 0;    // fixed-point weight of code 0
    std::int64_t weight_step_fx = 0;    // fixed-point weight per code unit
    std::uint32_t delay_base_steps = 1; // delay of code 0
    std::uint32_t delay_steps_per_code = 1;
    std::uint32_t num_delay_codes = 1;  // codes 0 .. num_delay_codes - 1 occur (<= 256)
    std::uint32_t channel = 0;          // 0 excitatory, 1 inhibitory
};

/// One projection's synapses in CSR form, as the builder produces them.
struct ProjectionSynapseBlock {
    ProjectionSynapses meta;
    std::uint32_t max_delay_steps = 1;  // largest delay any synapse can have
    std::vector<std::uint64_t> row_ptr; // source_size + 1 entries, from 0
    std::vector<std::uint32_t> targets;
    std::vector<std::uint16_t> weight_codes;
    std::vector<std::uint8_t> delay_codes;
};

class SynapseStore {
public:
    using MemorySpace = Kokkos::DefaultExecutionSpace::memory_space;

    SynapseStore() = default;
    /// Takes the blocks (in projection order) and moves them to device memory.
    /// `num_populations` and `source_population` (per block) index the
    /// outgoing projections of each population.
    SynapseStore(std::vector<ProjectionSynapseBlock>&& blocks,
        const std::vector<std::uint32_t>& source_population, std::size_t num_populations);

    std::uint64_t num_synapses() const { return num_synapses_; }
    /// Global ids of the source neurons with at least one synapse here,
    /// ascending: the spikes this process must receive.
    std::vector<std::uint64_t> source_gids_with_synapses() const;
    /// Bytes allocated for synapses: the per-synapse arrays, the row pointers
    /// and the projection tables.
    std::uint64_t allocated_bytes() const;

    Kokkos::View<ProjectionSynapses*, MemorySpace> projections;
    Kokkos::View<std::uint64_t*, MemorySpace> row_ptr;
    Kokkos::View<std::uint32_t*, MemorySpace> targets;
    Kokkos::View<std::uint16_t*, MemorySpace> weight_codes;
    Kokkos::View<std::uint8_t*, MemorySpace> delay_codes;
    /// Outgoing projections of population p: outgoing[outgoing_ptr[p] .. outgoing_ptr[p+1]).
    Kokkos::View<std::uint32_t*, MemorySpace> outgoing_ptr;
    Kokkos::View<std::uint32_t*, MemorySpace> outgoing;

private:
    std::uint64_t num_synapses_ = 0;
};

} // namespace dtb::sim
