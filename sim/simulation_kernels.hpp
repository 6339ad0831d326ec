#pragma once
// The kernels of the time loop, as free function templates over Views (nvcc
// rejects extended lambdas inside private member functions, and free
// functions keep the kernels apart from the host bookkeeping of Simulation).
// Each kernel is written once for every Kokkos backend: Serial, OpenMP, CUDA.
//
//  - apply_synaptic_events: the events due in one step, summed into the
//    per-neuron fixed-point accumulator (exact integer sums, any order);
//  - update_model<Model>: every neuron of one model advanced by one step, all
//    populations of the model in one kernel (sim/neuron_model_traits.hpp);
//  - enqueue_synaptic_events: an interval's spikes turned into events queued
//    `delay` steps ahead, reserving list space once per (spike, projection,
//    delay code) rather than once per synapse.
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "sim/counter_rng.hpp"
#include "sim/fixed_point.hpp"
#include "sim/network.hpp"
#include "sim/neuron_model_traits.hpp"
#include "sim/spike_router.hpp"
#include "sim/synaptic_event_queue.hpp"

namespace dtb::sim::kernels {

template <class MemorySpace>
using AccumulatorView = Kokkos::View<std::int64_t* [2], Kokkos::LayoutRight, MemorySpace>;

// Kernels come in two instantiations: with atomics where several threads
// run a kernel at once (OpenMP with threads, CUDA), with plain adds where one
// thread runs it (Serial, OpenMP with one thread). Both are exact: integer
// addition. `concurrent` tells which one an execution space needs.
template <class ExecutionSpace>
bool concurrent(const ExecutionSpace& space = ExecutionSpace())
{
    return space.concurrency() > 1;
}

template <bool Atomic, class T>
KOKKOS_INLINE_FUNCTION void exact_add(T* target, T value)
{
    if constexpr (Atomic)
        Kokkos::atomic_add(target, value);
    else
        *target += value;
}

// Returns the old value.
template <bool Atomic, class T>
KOKKOS_INLINE_FUNCTION T fetch_add(T* target, T value)
{
    if constexpr (Atomic) {
        return Kokkos::atomic_fetch_add(target, value);
    } else {
        const T old = *target;
        *target += value;
        return old;
    }
}

template <class ExecutionSpace, bool Atomic, class EventList, class ProjectionView, class Accumulator>
void apply_synaptic_events_with(const EventList& events, std::uint64_t num_events, const ProjectionView& projections,
    const Accumulator& accumulator)
{
    Kokkos::parallel_for("dtb::apply_synaptic_events", Kokkos::RangePolicy<ExecutionSpace>(0, num_events),
        KOKKOS_LAMBDA(const std::uint64_t i) {
            const std::uint64_t event = events(i);
            const ProjectionSynapses& proj = projections(synaptic_event_projection(event));
            const std::int64_t weight
                = proj.weight_base_fx + proj.weight_step_fx * static_cast<std::int64_t>(synaptic_event_weight_code(event));
            exact_add<Atomic>(&accumulator(synaptic_event_target(event), proj.channel), weight);
        });
}

// Host threads (OpenMP): each thread owns a contiguous range of targets and
// scans the whole list for the events of its range. Atomics on shared
// accumulator lines made the two cores of a 2-thread run trade cache lines on
// almost every event (measured: delivery 2.2x slower than 2 ranks); the scan
// reads the list once per thread instead, which is sequential and cheap
// while the thread count is small. GPUs keep the atomics (one thread per
// event, fast atomics in L2).
template <class ExecutionSpace, class EventList, class ProjectionView, class Accumulator>
void apply_synaptic_events_by_target_range(const EventList& events, std::uint64_t num_events,
    const ProjectionView& projections, const Accumulator& accumulator, int num_ranges)
{
    const std::uint64_t num_targets = accumulator.extent(0);
    Kokkos::parallel_for("dtb::apply_synaptic_events_by_target_range",
        Kokkos::RangePolicy<ExecutionSpace, Kokkos::Schedule<Kokkos::Static>>(0, num_ranges),
        KOKKOS_LAMBDA(const int range) {
            const std::uint64_t lo = num_targets * range / num_ranges;
            const std::uint64_t width = num_targets * (range + 1) / num_ranges - lo;
            for (std::uint64_t i = 0; i < num_events; ++i) {
                const std::uint64_t event = events(i);
                const std::uint64_t target = synaptic_event_target(event);
                if (target - lo >= width) // unsigned: also below lo
                    continue;
                const ProjectionSynapses& proj = projections(synaptic_event_projection(event));
                accumulator(target, proj.channel) += proj.weight_base_fx
                    + proj.weight_step_fx * static_cast<std::int64_t>(synaptic_event_weight_code(event));
            }
        });
}

/// Sums the `num_events` events of one slot list into the accumulator.
template <class ExecutionSpace, class EventList, class ProjectionView, class Accumulator>
void apply_synaptic_events(const EventList& events, std::uint64_t num_events, const ProjectionView& projections,
    const Accumulator& accumulator)
{
    const ExecutionSpace space;
    constexpr bool host_threads
        = Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecutionSpace::memory_space>::accessible;
    if (!concurrent(space))
        apply_synaptic_events_with<ExecutionSpace, false>(events, num_events, projections, accumulator);
    else if (host_threads)
        apply_synaptic_events_by_target_range<ExecutionSpace>(
            events, num_events, projections, accumulator, space.concurrency());
    else
        apply_synaptic_events_with<ExecutionSpace, true>(events, num_events, projections, accumulator);
}

/// External drive of one neuron for one step: Poisson arrivals go to the
/// synaptic channels, dc and ou to the current.
struct DriveInput {
    double ex = 0;
    double in = 0;
    double current = 0;
};

KOKKOS_INLINE_FUNCTION DriveInput apply_drive(const PopulationDrive& drive, std::uint64_t seed, std::uint64_t gid,
    std::uint64_t step, double* ou_current, double* ou_spare_normal)
{
    DriveInput input;
    input.current = drive.dc;
    if (drive.num_poisson > 0) {
        CounterRng rng(seed, RngPurpose::poisson_input, gid, step);
        for (int j = 0; j < drive.num_poisson; ++j) {
            const double arrivals
                = static_cast<double>(rng.poisson(drive.poisson[j].mean_per_step, drive.poisson[j].exp_minus_mean));
            if (drive.poisson[j].channel == 0)
                input.ex += arrivals * drive.poisson[j].weight;
            else
                input.in += arrivals * drive.poisson[j].weight;
        }
    }
    if (drive.has_ou) {
        // Exact OU update; the current of this step is the value before it.
        // One Box-Muller pair serves two steps: the even step draws it (keyed
        // by step / 2) and keeps the second value for the odd step.
        const double current = *ou_current;
        input.current += current;
        double noise;
        if (step % 2 == 0) {
            CounterRng rng(seed, RngPurpose::ou_input, gid, step / 2);
            rng.normal_pair(noise, *ou_spare_normal);
        } else {
            noise = *ou_spare_normal;
        }
        *ou_current = drive.ou_mean + (current - drive.ou_mean) * drive.ou_decay + drive.ou_noise * noise;
    }
    return input;
}

/// One population of a neuron model, as that model's update kernel sees it.
template <class Params>
struct ModelPopulation {
    std::uint64_t local_offset = 0; // local index of the population's first neuron here
    std::uint64_t first_gid = 0;
    Params params;
    PopulationDrive drive;
};

/// What every update kernel of a step shares.
template <class MemorySpace>
struct StepUpdate {
    std::uint64_t seed = 0;
    std::uint64_t step = 0;
    std::uint64_t spike_tag = 0; // offset in interval << spike_entry_gid_bits
    NeuronState state;
    AccumulatorView<MemorySpace> accumulator;
    Kokkos::View<std::uint64_t*, MemorySpace> spikes;
    Kokkos::View<std::uint64_t, MemorySpace> spike_count;
};

/// A run of at most `neurons_per_chunk<ExecutionSpace>()` neurons of one
/// population: the unit of work of an update kernel.
struct NeuronChunk {
    std::uint32_t population = 0; // index into the model's populations
    std::uint64_t begin = 0;      // population-slice indices [begin, end)
    std::uint64_t end = 0;
};

/// Host threads take large chunks (cheap scheduling, long sequential loops);
/// a GPU takes small ones, so that even a network of 10^4-10^5 neurons gives
/// enough teams to fill every multiprocessor (one team per chunk).
template <class ExecutionSpace>
constexpr std::uint64_t neurons_per_chunk()
{
    return Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecutionSpace::memory_space>::accessible ? 2048
                                                                                                            : 128;
}

/// Advances every neuron of `Model` by one step, all its populations in one
/// kernel: takes (and clears) each neuron's accumulated input, adds the
/// external drive, steps the model and appends the spikes to the interval's
/// spike list. One team per chunk; the team copies its population's
/// parameters and drive once, so the per-neuron loop reads them from
/// registers (read through a pointer, the compiler reloaded them after every
/// store to the state arrays, which may alias them).
template <class ExecutionSpace, bool Atomic, class Model, class MemorySpace>
void update_model_with(const StepUpdate<MemorySpace>& update,
    const Kokkos::View<ModelPopulation<typename Model::Params>*, MemorySpace>& populations,
    const Kokkos::View<NeuronChunk*, MemorySpace>& chunks)
{
    using TeamPolicy = Kokkos::TeamPolicy<ExecutionSpace, Kokkos::Schedule<Kokkos::Dynamic>>;
    using Member = typename TeamPolicy::member_type;
    const StepUpdate<MemorySpace> u = update;
    const auto pops = populations;
    const auto work = chunks;
    Kokkos::parallel_for("dtb::update_neurons", TeamPolicy(static_cast<int>(work.extent(0)), Kokkos::AUTO),
        KOKKOS_LAMBDA(const Member& team) {
            const NeuronChunk chunk = work(team.league_rank());
            const ModelPopulation<typename Model::Params> pop = pops(chunk.population);
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, chunk.begin, chunk.end), [&](const std::uint64_t i) {
                const std::uint64_t gid = pop.first_gid + i;
                const std::uint64_t local = pop.local_offset + i;
                const double arrived_ex = from_fixed_point(u.accumulator(local, 0));
                const double arrived_in = from_fixed_point(u.accumulator(local, 1));
                u.accumulator(local, 0) = 0;
                u.accumulator(local, 1) = 0;
                const bool has_ou = pop.drive.has_ou;
                const DriveInput input = apply_drive(pop.drive, u.seed, gid, u.step,
                    has_ou ? &u.state.ou_current(local) : nullptr, has_ou ? &u.state.ou_spare_normal(local) : nullptr);
                if (Model::step(pop.params, u.state, local, arrived_ex + input.ex, arrived_in + input.in,
                        input.current + u.state.external_current(local)))
                    u.spikes(fetch_add<Atomic>(&u.spike_count(), std::uint64_t(1))) = u.spike_tag | gid;
            });
        });
}

template <class ExecutionSpace, class Model, class MemorySpace>
void update_model(const StepUpdate<MemorySpace>& update,
    const Kokkos::View<ModelPopulation<typename Model::Params>*, MemorySpace>& populations,
    const Kokkos::View<NeuronChunk*, MemorySpace>& chunks)
{
    if (concurrent<ExecutionSpace>())
        update_model_with<ExecutionSpace, true, Model>(update, populations, chunks);
    else
        update_model_with<ExecutionSpace, false, Model>(update, populations, chunks);
}

/// Largest number of delay codes a projection can use (8-bit codes).
inline constexpr std::uint32_t max_delay_codes = 256;

/// Queues the synaptic events of `num_spikes` spike entries. One team per
/// spike; where several threads share the kernel, for each outgoing
/// projection row it counts the row's synapses per delay code in team scratch
/// memory, reserves each code's run of the slot list with one atomic on the
/// slot counter, then writes the events (one thread appends directly). Slot
/// counters keep counting past capacity, so an overflow is seen afterwards
/// (SynapticEventQueue::commit_or_grow) and the delivery re-run.
template <class ExecutionSpace, bool Atomic, class EntryView>
void enqueue_synaptic_events_with(const EntryView& spikes, std::uint64_t num_spikes, std::uint64_t interval_first_step,
    const SynapticEventQueue& queue, const SynapseStore& synapses,
    const Kokkos::View<std::uint64_t*, typename ExecutionSpace::memory_space>& population_first_gid)
{
    using TeamPolicy = Kokkos::TeamPolicy<ExecutionSpace, Kokkos::Schedule<Kokkos::Dynamic>>;
    using Member = typename TeamPolicy::member_type;
    using ScratchCounts
        = Kokkos::View<std::uint64_t*, typename ExecutionSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;

    const auto events = queue.events();
    const auto counts = queue.counts();
    const std::uint64_t capacity = queue.capacity();
    const std::uint64_t slots = queue.slots();
    const auto first_gid = population_first_gid;
    const auto projections = synapses.projections;
    const auto row_ptr = synapses.row_ptr;
    const auto targets = synapses.targets;
    const auto weight_codes = synapses.weight_codes;
    const auto delay_codes = synapses.delay_codes;
    const auto outgoing_ptr = synapses.outgoing_ptr;
    const auto outgoing = synapses.outgoing;
    const int num_populations = static_cast<int>(first_gid.extent(0));
    const std::size_t scratch_bytes = ScratchCounts::shmem_size(max_delay_codes);

    const TeamPolicy policy = TeamPolicy(static_cast<int>(num_spikes), Kokkos::AUTO)
                                  .set_scratch_size(0, Kokkos::PerTeam(scratch_bytes));
    Kokkos::parallel_for("dtb::enqueue_synaptic_events", policy, KOKKOS_LAMBDA(const Member& team) {
        // cursor(code): first, the code's synapse count in the row; then the
        // next free index of its run in the slot list.
        const ScratchCounts cursor(team.team_scratch(0), max_delay_codes);
        const bool single_thread = team.team_size() == 1;
        const std::uint64_t entry = spikes(team.league_rank());
        const std::uint64_t gid = entry & spike_entry_gid_mask;
        const std::uint64_t step = interval_first_step + (entry >> spike_entry_gid_bits);
        // Population of the source: last first_gid <= gid.
        int lo = 0, hi = num_populations;
        while (hi - lo > 1) {
            const int mid = (lo + hi) / 2;
            if (first_gid(mid) <= gid)
                lo = mid;
            else
                hi = mid;
        }
        for (std::uint32_t k = outgoing_ptr(lo); k < outgoing_ptr(lo + 1); ++k) {
            const std::uint32_t projection = outgoing(k);
            const ProjectionSynapses proj = projections(projection);
            const std::uint64_t row = proj.row_begin + (gid - proj.source_first_gid);
            const std::uint64_t begin = row_ptr(row);
            const std::uint64_t end = row_ptr(row + 1);
            if (begin == end)
                continue;
            const std::uint32_t num_codes = proj.num_delay_codes;
            // base_slot < slots and every delay offset < slots, so one
            // conditional subtraction replaces a division.
            const std::uint64_t base_slot = (step + proj.delay_base_steps) % slots;
            const auto slot_of = [&](std::uint32_t code) {
                const std::uint64_t slot = base_slot + static_cast<std::uint64_t>(code) * proj.delay_steps_per_code;
                return slot >= slots ? slot - slots : slot;
            };
            if (!Atomic) { // a plain if: nvcc rejects first captures inside if constexpr
                // One thread runs the whole kernel: nothing to reserve, the
                // slot counters are its own.
                for (std::uint64_t s = begin; s < end; ++s) {
                    const std::uint64_t slot = slot_of(delay_codes(s));
                    const std::uint64_t index = counts(slot)++;
                    if (index < capacity)
                        events(slot, index) = pack_synaptic_event(targets(s), projection, weight_codes(s));
                }
                continue;
            }
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, num_codes), [&](const std::uint32_t c) { cursor(c) = 0; });
            team.team_barrier();
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, begin, end), [&](const std::uint64_t s) {
                if (single_thread)
                    ++cursor(delay_codes(s));
                else
                    Kokkos::atomic_increment(&cursor(delay_codes(s)));
            });
            team.team_barrier();
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, num_codes), [&](const std::uint32_t c) {
                const std::uint64_t n = cursor(c);
                if (n > 0)
                    cursor(c) = fetch_add<Atomic>(&counts(slot_of(c)), n);
            });
            team.team_barrier();
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, begin, end), [&](const std::uint64_t s) {
                const std::uint8_t code = delay_codes(s);
                const std::uint64_t index
                    = single_thread ? cursor(code)++ : Kokkos::atomic_fetch_add(&cursor(code), std::uint64_t(1));
                if (index < capacity)
                    events(slot_of(code), index) = pack_synaptic_event(targets(s), projection, weight_codes(s));
            });
            team.team_barrier();
        }
    });
}

template <class ExecutionSpace, class EntryView>
void enqueue_synaptic_events(const EntryView& spikes, std::uint64_t num_spikes, std::uint64_t interval_first_step,
    const SynapticEventQueue& queue, const SynapseStore& synapses,
    const Kokkos::View<std::uint64_t*, typename ExecutionSpace::memory_space>& population_first_gid)
{
    if (concurrent<ExecutionSpace>())
        enqueue_synaptic_events_with<ExecutionSpace, true>(
            spikes, num_spikes, interval_first_step, queue, synapses, population_first_gid);
    else
        enqueue_synaptic_events_with<ExecutionSpace, false>(
            spikes, num_spikes, interval_first_step, queue, synapses, population_first_gid);
}

} // namespace dtb::sim::kernels
