#include "sim/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <type_traits>

#include "sim/counter_rng.hpp"
#include "sim/fixed_point.hpp"

namespace dtb::sim {

namespace {

constexpr std::uint64_t gid_bits = spike_entry_gid_bits;
constexpr std::uint64_t gid_mask = spike_entry_gid_mask;

class PhaseTimer {
public:
    explicit PhaseTimer(double& total)
        : total_(total)
        , start_(std::chrono::steady_clock::now())
    {
    }
    ~PhaseTimer() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
    double& total_;
    std::chrono::steady_clock::time_point start_;
};

// One thread at a time runs Serial kernels, so a plain add is exact there;
// every other backend needs the atomic. Both are exact: integer addition.
template <class ExecutionSpace>
KOKKOS_INLINE_FUNCTION void accumulate_input(std::int64_t* target, std::int64_t value)
{
#if defined(KOKKOS_ENABLE_SERIAL)
    if constexpr (std::is_same<ExecutionSpace, Kokkos::Serial>::value) {
        *target += value;
        return;
    }
#endif
    Kokkos::atomic_add(target, value);
}

// The next free index of a slot's event list (same reasoning as above).
template <class ExecutionSpace>
KOKKOS_INLINE_FUNCTION std::uint64_t claim_event_index(std::uint64_t* count)
{
#if defined(KOKKOS_ENABLE_SERIAL)
    if constexpr (std::is_same<ExecutionSpace, Kokkos::Serial>::value)
        return (*count)++;
#endif
    return Kokkos::atomic_fetch_add(count, std::uint64_t(1));
}

// External drive of one neuron for one step: Poisson arrivals go to the
// synaptic channels, dc and ou to the returned current.
struct DriveInput {
    double ex = 0;
    double in = 0;
    double current = 0;
};

KOKKOS_INLINE_FUNCTION DriveInput apply_drive(const PopulationDrive& drive, std::uint64_t seed,
    std::uint64_t gid, std::uint64_t step, double* ou_current, double* ou_spare_normal)
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

// Synaptic input (excitatory, inhibitory) that arrived for one neuron this step.
struct ArrivedInput {
    double ex;
    double in;
};

// Takes neuron `local`'s summed input of this step from the accumulator and
// clears it for the next step.
template <class AccumulatorView>
KOKKOS_INLINE_FUNCTION ArrivedInput take_arrived_input(const AccumulatorView& accumulator, std::uint64_t local)
{
    const ArrivedInput input = { from_fixed_point(accumulator(local, 0)), from_fixed_point(accumulator(local, 1)) };
    accumulator(local, 0) = 0;
    accumulator(local, 1) = 0;
    return input;
}

// Appends one spike entry to this interval's spike list (threads of the
// update kernel claim slots with an atomic counter).
template <class SpikeView, class CountView>
KOKKOS_INLINE_FUNCTION void record_spike(const SpikeView& spikes, const CountView& spike_count, std::uint64_t entry)
{
    spikes(Kokkos::atomic_fetch_add(&spike_count(), std::uint64_t(1))) = entry;
}

} // namespace

Simulation::Simulation(Network& network, std::uint64_t initial_event_capacity)
    : network_(network)
    , interval_steps_(network.min_delay_steps)
    , event_queue_(network.max_delay_steps + 1,
          initial_event_capacity > 0 ? initial_event_capacity : std::max<std::uint64_t>(1024, network.num_local_neurons))
    , input_accumulator_("input_accumulator", network.num_local_neurons)
{
    interval_spikes_ = decltype(interval_spikes_)(
        Kokkos::view_alloc("interval_spikes", Kokkos::WithoutInitializing),
        std::max<std::uint64_t>(1, network.num_local_neurons * interval_steps_));
    interval_spike_count_ = decltype(interval_spike_count_)("interval_spike_count");
    Kokkos::View<std::uint64_t*, Kokkos::HostSpace> first_gid("population_first_gid", network.populations.size());
    for (std::size_t p = 0; p < network.populations.size(); ++p)
        first_gid(p) = network.populations[p].range.first_gid;
    population_first_gid_ = Kokkos::create_mirror_view_and_copy(MemorySpace(), first_gid);
}

void Simulation::apply_due_events(std::uint64_t step)
{
    const auto slot = static_cast<std::uint32_t>(step % event_queue_.slots());
    const std::uint64_t n = event_queue_.count(slot);
    if (n == 0)
        return;
    const auto events = Kokkos::subview(event_queue_.events(), slot, Kokkos::ALL());
    const auto accumulator = input_accumulator_;
    const auto projections = network_.synapses.projections;
    Kokkos::parallel_for("dtb::apply_synaptic_events", Kokkos::RangePolicy<ExecutionSpace>(0, n),
        KOKKOS_LAMBDA(const std::uint64_t i) {
            const std::uint64_t event = events(i);
            const ProjectionSynapses& proj = projections(synaptic_event_projection(event));
            const std::int64_t weight
                = proj.weight_base_fx + proj.weight_step_fx * static_cast<std::int64_t>(synaptic_event_weight_code(event));
            accumulate_input<ExecutionSpace>(&accumulator(synaptic_event_target(event), proj.channel), weight);
        });
    event_queue_.clear(slot);
}

void Simulation::update_neurons(std::uint64_t step, std::uint32_t offset_in_interval)
{
    const auto accumulator = input_accumulator_;
    const auto spikes = interval_spikes_;
    const auto spike_count = interval_spike_count_;
    const std::uint64_t seed = network_.seed;
    const std::uint64_t spike_tag = static_cast<std::uint64_t>(offset_in_interval) << gid_bits;

    for (auto& pop : network_.populations) {
        const std::uint64_t n = pop.slice_size();
        if (n == 0)
            continue;
        const std::uint64_t local_offset = pop.local_offset;
        const std::uint64_t first_gid = pop.range.first_gid + pop.slice_begin;
        const PopulationDrive drive = pop.drive;
        const auto ou = pop.ou_current;
        const auto ou_spare = pop.ou_spare_normal;
        const auto external = pop.external_current;
        const Kokkos::RangePolicy<ExecutionSpace> policy(0, n);


        if (pop.model == NeuronModel::iaf_psc_exp) {
            const IafPscExpParams params = pop.iaf;
            const auto state = pop.iaf_state;
            Kokkos::parallel_for("dtb::iaf_psc_exp_update", policy, KOKKOS_LAMBDA(const std::uint64_t i) {
                const std::uint64_t gid = first_gid + i;
                const ArrivedInput arrived = take_arrived_input(accumulator, local_offset + i);
                const DriveInput input = apply_drive(drive, seed, gid, step, drive.has_ou ? &ou(i) : nullptr,
                    drive.has_ou ? &ou_spare(i) : nullptr);
                IafPscExpState s = state(i);
                const bool spiked
                    = iaf_psc_exp_step(params, s, arrived.ex + input.ex, arrived.in + input.in,
                        input.current + external(i));
                state(i) = s;
                if (spiked)
                    record_spike(spikes, spike_count, spike_tag | gid);
            });
        } else {
            const LifDtbParams params = pop.lif;
            const auto state = pop.lif_state;
            const auto conductances = pop.lif_conductances;
            Kokkos::parallel_for("dtb::lif_dtb_update", policy, KOKKOS_LAMBDA(const std::uint64_t i) {
                const std::uint64_t gid = first_gid + i;
                const ArrivedInput arrived = take_arrived_input(accumulator, local_offset + i);
                const DriveInput input = apply_drive(drive, seed, gid, step, drive.has_ou ? &ou(i) : nullptr,
                    drive.has_ou ? &ou_spare(i) : nullptr);
                LifDtbState s = state(i);
                const LifDtbConductances g = conductances(i);
                const bool spiked
                    = lif_dtb_step(params, g.g, s, arrived.ex + input.ex, arrived.in + input.in,
                        input.current + external(i));
                state(i) = s;
                if (spiked)
                    record_spike(spikes, spike_count, spike_tag | gid);
            });
        }
    }
}

void Simulation::deliver(const EntryView& entries, std::uint64_t num_spikes, std::uint64_t interval_first_step)
{
    if (num_spikes == 0 || network_.synapses.num_synapses() == 0)
        return;
    event_queue_.checkpoint();
    do
        enqueue_synaptic_events(entries, num_spikes, interval_first_step);
    while (!event_queue_.commit_or_grow());
}

void Simulation::enqueue_synaptic_events(const EntryView& entries, std::uint64_t num_spikes, std::uint64_t interval_first_step)
{
    using TeamPolicy = Kokkos::TeamPolicy<ExecutionSpace>;
    using Member = TeamPolicy::member_type;
    const auto events = event_queue_.events();
    const auto counts = event_queue_.counts();
    const std::uint64_t capacity = event_queue_.capacity();
    const std::uint64_t slots = event_queue_.slots();
    const auto spikes = entries;
    const auto first_gid = population_first_gid_;
    const auto projections = network_.synapses.projections;
    const auto row_ptr = network_.synapses.row_ptr;
    const auto targets = network_.synapses.targets;
    const auto weight_codes = network_.synapses.weight_codes;
    const auto delay_codes = network_.synapses.delay_codes;
    const auto outgoing_ptr = network_.synapses.outgoing_ptr;
    const auto outgoing = network_.synapses.outgoing;
    const int num_populations = static_cast<int>(first_gid.extent(0));

    Kokkos::parallel_for("dtb::enqueue_synaptic_events", TeamPolicy(static_cast<int>(num_spikes), Kokkos::AUTO),
        KOKKOS_LAMBDA(const Member& team) {
            const std::uint64_t entry = spikes(team.league_rank());
            const std::uint64_t gid = entry & gid_mask;
            const std::uint64_t step = interval_first_step + (entry >> gid_bits);
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
                // base_slot < slots and every delay offset < slots, so one
                // conditional subtraction replaces a division per synapse.
                const std::uint64_t base_slot = (step + proj.delay_base_steps) % slots;
                Kokkos::parallel_for(Kokkos::TeamThreadRange(team, begin, end), [&](const std::uint64_t s) {
                    std::uint64_t slot = base_slot + static_cast<std::uint64_t>(delay_codes(s)) * proj.delay_steps_per_code;
                    slot = slot >= slots ? slot - slots : slot;
                    const std::uint64_t index = claim_event_index<ExecutionSpace>(&counts(slot));
                    if (index < capacity)
                        events(slot, index) = pack_synaptic_event(targets(s), projection, weight_codes(s));
                });
            }
        });
}
void Simulation::copy_local_spikes_to_host(std::uint64_t num_spikes)
{
    host_entries_.resize(num_spikes);
    if (num_spikes == 0)
        return;
    auto spikes = Kokkos::subview(interval_spikes_, std::pair<std::uint64_t, std::uint64_t>(0, num_spikes));
    Kokkos::View<std::uint64_t*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
        host_entries_.data(), num_spikes);
    Kokkos::deep_copy(host, spikes);
}

void Simulation::advance(std::uint64_t num_steps, SpikeObserver* observer)
{
    const std::uint64_t end = step_ + num_steps;
    auto count_host = Kokkos::create_mirror_view(interval_spike_count_);
    while (step_ < end) {
        const std::uint64_t first = step_;
        const auto steps = static_cast<std::uint32_t>(std::min<std::uint64_t>(interval_steps_, end - step_));
        std::uint64_t num_spikes = 0;
        {
            Kokkos::deep_copy(interval_spike_count_, std::uint64_t(0));
            for (std::uint32_t k = 0; k < steps; ++k) {
                {
                    // Counted as delivery; on an asynchronous backend (CUDA)
                    // the kernel's time shows up in the update's fence instead.
                    PhaseTimer timer(times_.deliver_s);
                    apply_due_events(first + k);
                }
                PhaseTimer timer(times_.update_s);
                update_neurons(first + k, k);
            }
            PhaseTimer timer(times_.update_s);
            Kokkos::deep_copy(count_host, interval_spike_count_); // fences
            num_spikes = count_host();
        }
        if (router_ != nullptr || observer != nullptr) {
            PhaseTimer timer(times_.record_s);
            copy_local_spikes_to_host(num_spikes);
        }
        if (router_ != nullptr) {
            {
                PhaseTimer timer(times_.route_s);
                router_->route(host_entries_, routed_entries_);
            }
            PhaseTimer timer(times_.deliver_s);
            if (routed_entries_device_.extent(0) < routed_entries_.size())
                routed_entries_device_ = EntryView(Kokkos::view_alloc("routed_spikes", Kokkos::WithoutInitializing),
                    routed_entries_.size() + routed_entries_.size() / 2);
            if (!routed_entries_.empty()) {
                Kokkos::View<const std::uint64_t*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
                    routed_entries_.data(), routed_entries_.size());
                Kokkos::deep_copy(Kokkos::subview(routed_entries_device_,
                                      std::pair<std::size_t, std::size_t>(0, routed_entries_.size())),
                    host);
            }
            deliver(routed_entries_device_, routed_entries_.size(), first);
            Kokkos::fence();
        } else {
            PhaseTimer timer(times_.deliver_s);
            deliver(interval_spikes_, num_spikes, first);
            Kokkos::fence();
        }
        step_ = first + steps;
        if (observer) {
            PhaseTimer timer(times_.record_s);
            host_events_.resize(num_spikes);
            for (std::uint64_t i = 0; i < num_spikes; ++i)
                host_events_[i] = SpikeEvent{first + spike_entry_offset(host_entries_[i]), spike_entry_gid(host_entries_[i])};
            std::sort(host_events_.begin(), host_events_.end());
            observer->on_interval(first, steps, host_events_);
        }
    }
}

} // namespace dtb::sim
