#include "sim/simulation.hpp"

#include <algorithm>
#include <chrono>

#include "sim/simulation_kernels.hpp"

namespace dtb::sim {

namespace {

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

// The populations of one neuron model with neurons here, as its update
// kernel sees them, and the chunks of neurons its teams take.
template <class Model>
ModelNeurons<typename Model::Params> model_neurons(const Network& network)
{
    using Params = typename Model::Params;
    std::vector<kernels::ModelPopulation<Params>> list;
    std::vector<kernels::NeuronChunk> chunks;
    for (const auto& pop : network.populations) {
        if (pop.model != Model::kind || pop.slice_size() == 0)
            continue;
        kernels::ModelPopulation<Params> entry;
        entry.local_offset = pop.local_offset;
        entry.first_gid = pop.range.first_gid + pop.slice_begin;
        entry.params = Model::params_of(pop);
        entry.drive = pop.drive;
        constexpr std::uint64_t chunk = kernels::neurons_per_chunk<Simulation::ExecutionSpace>();
        for (std::uint64_t begin = 0; begin < pop.slice_size(); begin += chunk)
            chunks.push_back(
                {static_cast<std::uint32_t>(list.size()), begin, std::min(pop.slice_size(), begin + chunk)});
        list.push_back(entry);
    }
    Kokkos::View<kernels::ModelPopulation<Params>*, Kokkos::HostSpace> host("model_populations", list.size());
    for (std::size_t p = 0; p < list.size(); ++p)
        host(p) = list[p];
    Kokkos::View<kernels::NeuronChunk*, Kokkos::HostSpace> host_chunks("neuron_chunks", chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c)
        host_chunks(c) = chunks[c];
    return {Kokkos::create_mirror_view_and_copy(Simulation::MemorySpace(), host),
        Kokkos::create_mirror_view_and_copy(Simulation::MemorySpace(), host_chunks)};
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
    interval_spike_count_host_ = decltype(interval_spike_count_host_)("interval_spike_count_host");
    Kokkos::View<std::uint64_t*, Kokkos::HostSpace> first_gid("population_first_gid", network.populations.size());
    for (std::size_t p = 0; p < network.populations.size(); ++p)
        first_gid(p) = network.populations[p].range.first_gid;
    population_first_gid_ = Kokkos::create_mirror_view_and_copy(MemorySpace(), first_gid);
    iaf_neurons_ = model_neurons<IafPscExpModel>(network_);
    lif_neurons_ = model_neurons<LifDtbModel>(network_);
}

void Simulation::apply_due_events(std::uint64_t step)
{
    const auto slot = static_cast<std::uint32_t>(step % event_queue_.slots());
    const std::uint64_t n = event_queue_.count(slot);
    if (n == 0)
        return;
    kernels::apply_synaptic_events<ExecutionSpace>(Kokkos::subview(event_queue_.events(), slot, Kokkos::ALL()), n,
        network_.synapses.projections, input_accumulator_);
    ++counters_.kernel_launches;
}

void Simulation::update_neurons(std::uint64_t step, std::uint32_t offset_in_interval)
{
    kernels::StepUpdate<MemorySpace> update;
    update.seed = network_.seed;
    update.step = step;
    update.spike_tag = static_cast<std::uint64_t>(offset_in_interval) << spike_entry_gid_bits;
    update.state = network_.state;
    update.accumulator = input_accumulator_;
    update.spikes = interval_spikes_;
    update.spike_count = interval_spike_count_;
    if (iaf_neurons_.chunks.extent(0) > 0) {
        kernels::update_model<ExecutionSpace, IafPscExpModel>(update, iaf_neurons_.populations, iaf_neurons_.chunks);
        ++counters_.kernel_launches;
    }
    if (lif_neurons_.chunks.extent(0) > 0) {
        kernels::update_model<ExecutionSpace, LifDtbModel>(update, lif_neurons_.populations, lif_neurons_.chunks);
        ++counters_.kernel_launches;
    }
}

void Simulation::deliver(const EntryView& entries, std::uint64_t num_spikes, std::uint64_t interval_first_step)
{
    if (num_spikes == 0 || network_.synapses.num_synapses() == 0)
        return;
    event_queue_.checkpoint();
    ++counters_.kernel_launches;
    for (;;) {
        kernels::enqueue_synaptic_events<ExecutionSpace>(
            entries, num_spikes, interval_first_step, event_queue_, network_.synapses, population_first_gid_);
        ++counters_.kernel_launches;
        ++counters_.host_syncs; // commit_or_grow copies the counts to the host
        if (event_queue_.commit_or_grow())
            break;
        counters_.kernel_launches += 2; // the counts restored, the lists resized
    }
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
    const ExecutionSpace space;
    while (step_ < end) {
        const std::uint64_t first = step_;
        const auto steps = static_cast<std::uint32_t>(std::min<std::uint64_t>(interval_steps_, end - step_));
        std::uint64_t num_spikes = 0;
        {
            for (std::uint32_t k = 0; k < steps; ++k) {
                {
                    // Counted as delivery; on an asynchronous backend (CUDA)
                    // the kernel's time shows up in the update's wait instead.
                    PhaseTimer timer(times_.deliver_s);
                    apply_due_events(first + k);
                }
                PhaseTimer timer(times_.update_s);
                update_neurons(first + k, k);
            }
            PhaseTimer timer(times_.update_s);
            Kokkos::deep_copy(interval_spike_count_host_, interval_spike_count_); // waits for the interval's kernels
            ++counters_.host_syncs;
            num_spikes = interval_spike_count_host_();
            // The interval's events are applied: their slots may take new ones.
            const bool had_events = event_queue_.clear_steps(first, steps);
            counters_.kernel_launches += had_events ? 1 : 0;
        }
        if (router_ != nullptr || observer != nullptr) {
            PhaseTimer timer(times_.record_s);
            copy_local_spikes_to_host(num_spikes);
            counters_.host_syncs += num_spikes > 0 ? 1 : 0;
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
                ++counters_.host_syncs;
            }
            deliver(routed_entries_device_, routed_entries_.size(), first);
        } else {
            PhaseTimer timer(times_.deliver_s);
            deliver(interval_spikes_, num_spikes, first);
        }
        // The next interval counts its spikes from zero (ordered after the
        // delivery kernel that reads this interval's list).
        Kokkos::deep_copy(space, interval_spike_count_, std::uint64_t(0));
        ++counters_.kernel_launches;
        step_ = first + steps;
        counters_.steps += steps;
        if (observer) {
            PhaseTimer timer(times_.record_s);
            host_events_.resize(num_spikes);
            for (std::uint64_t i = 0; i < num_spikes; ++i)
                host_events_[i] = SpikeEvent{first + spike_entry_offset(host_entries_[i]), spike_entry_gid(host_entries_[i])};
            std::sort(host_events_.begin(), host_events_.end());
            observer->on_interval(first, steps, host_events_);
        }
    }
    // Leave the device idle: callers read state and outputs after advance().
    Kokkos::fence();
    ++counters_.host_syncs;
}

} // namespace dtb::sim
