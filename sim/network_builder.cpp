// build_network(): from a validated model to neuron state and synapses.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "sim/connection_rules.hpp"
#include "sim/counter_rng.hpp"
#include "sim/distribution_sampling.hpp"
#include "sim/model_error.hpp"
#include "sim/network.hpp"
#include "sim/neuron_params_from_spec.hpp"
#include "sim/network_builder.hpp"
#include "sim/synapse_value_codec.hpp"
#include "sim/voxel_connection_rules.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dtb::sim {

std::vector<PopulationRange> Network::population_ranges() const
{
    std::vector<PopulationRange> ranges;
    for (const auto& p : populations)
        ranges.push_back(p.range);
    return ranges;
}

BrainArrays load_brain_arrays(const v1::Model& model, const std::string& source_name)
{
    std::filesystem::path path(model.brain().arrays());
    if (path.is_relative())
        path = std::filesystem::path(source_name).parent_path() / path;
    try {
        return read_brain_arrays(path.string());
    } catch (const std::exception& e) {
        throw ModelError(source_name, "brain.arrays", e.what());
    }
}

std::vector<PopulationRange> population_ranges(const v1::Model& model)
{
    std::vector<PopulationRange> ranges;
    std::uint64_t next = 0;
    for (const auto& p : model.populations()) {
        ranges.push_back({p.name(), next, p.size()});
        next += p.size();
    }
    return ranges;
}

namespace {

std::uint32_t channel_of(const std::string& receptor) { return receptor == "inhibitory" ? 1u : 0u; }

std::string field(const char* list, std::size_t index, const std::string& rest)
{
    return std::string(list) + "[" + std::to_string(index) + "]" + (rest.empty() ? "" : "." + rest);
}

PopulationDrive build_drive(const v1::Model& model, std::size_t population_index, double dt_ms,
    const std::string& source_name)
{
    PopulationDrive drive;
    const std::string& name = model.populations(static_cast<int>(population_index)).name();
    for (int i = 0; i < model.inputs_size(); ++i) {
        const auto& input = model.inputs(i);
        if (std::find(input.targets().begin(), input.targets().end(), name) == input.targets().end())
            continue;
        if (input.kind() == "poisson") {
            if (drive.num_poisson == max_poisson_drives_per_population)
                throw ModelError(source_name, field("inputs", static_cast<std::size_t>(i), "targets"),
                    "population '" + name + "' receives more than "
                        + std::to_string(max_poisson_drives_per_population) + " poisson inputs");
            auto& poisson = drive.poisson[drive.num_poisson++];
            poisson.mean_per_step = input.rate_hz() * static_cast<double>(input.count()) * dt_ms * 1e-3;
            poisson.exp_minus_mean = std::exp(-poisson.mean_per_step);
            poisson.weight = input.weight();
            poisson.channel = channel_of(input.receptor());
        } else if (input.kind() == "dc") {
            drive.dc += input.amplitude();
        } else if (input.kind() == "ou") {
            if (drive.has_ou)
                throw ModelError(source_name, field("inputs", static_cast<std::size_t>(i), "targets"),
                    "population '" + name + "' receives more than one ou input; merge them into one");
            drive.has_ou = true;
            drive.ou_mean = input.mean();
            drive.ou_decay = std::exp(-dt_ms / input.tau_ms());
            drive.ou_noise = input.std() * std::sqrt(-std::expm1(-2.0 * dt_ms / input.tau_ms()));
            drive.ou_stationary_std = input.std();
        }
    }
    return drive;
}

// The network's neuron state on the host, filled population by population,
// then moved to the device in one copy per array.
struct HostNeuronState {
    using Values = Kokkos::View<double*, Kokkos::HostSpace>;
    using Counts = Kokkos::View<std::int32_t*, Kokkos::HostSpace>;
    using ChannelValues = Kokkos::View<double* [num_lif_dtb_channels], Kokkos::LayoutLeft, Kokkos::HostSpace>;
    Values v, i_ex, i_in, ou_current;
    Counts refractory;
    ChannelValues j, conductances, gamma_factors;

    HostNeuronState(std::uint64_t n, bool any_iaf, bool any_lif, bool any_ou)
        : v("v", n)
        , i_ex("i_ex", any_iaf ? n : 0)
        , i_in("i_in", any_iaf ? n : 0)
        , ou_current("ou_current", any_ou ? n : 0)
        , refractory("refractory", n)
        , j("j", any_lif ? n : 0)
        , conductances("conductances", any_lif ? n : 0)
        , gamma_factors("gamma_factors", any_lif ? n : 0)
    {
    }
};

// Initial state of one population's slice: draws are keyed by global id, so
// they do not depend on the slicing. Order per neuron: V, then the OU current.
void initialise_population(const NetworkPopulation& pop, const v1::Population& spec, std::uint64_t seed,
    HostNeuronState& state)
{
    const std::uint64_t n = pop.slice_size();
    const std::uint64_t first_gid = pop.range.first_gid + pop.slice_begin;
    const bool lif = pop.model == NeuronModel::lif_dtb;
    const double shape = lif ? spec.lif_dtb().g_gamma_shape() : 0.0;
    const double rate = lif ? spec.lif_dtb().g_gamma_rate() : 0.0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t local = pop.local_offset + i;
        CounterRng rng(seed, RngPurpose::initial_state, first_gid + i, 0);
        state.v(local) = sample_distribution(spec.v_init(), rng) - (lif ? 0.0 : pop.iaf.E_L);
        if (pop.drive.has_ou)
            state.ou_current(local) = pop.drive.ou_mean + pop.drive.ou_stationary_std * rng.normal();
        if (lif) {
            CounterRng heterogeneity(seed, RngPurpose::heterogeneity, first_gid + i, 0);
            for (int u = 0; u < num_lif_dtb_channels; ++u) {
                const double factor = shape > 0 ? heterogeneity.gamma(shape, rate) : 1.0;
                state.gamma_factors(local, u) = factor;
                state.conductances(local, u) = pop.lif.g_population[u] * factor;
            }
        }
    }
}

// Moves the host state to the device and points every population at its part.
void place_neuron_state(Network& net, const HostNeuronState& host, bool any_ou)
{
    using Space = NeuronState::MemorySpace;
    NeuronState& state = net.state;
    state.v = Kokkos::create_mirror_view_and_copy(Space(), host.v);
    state.refractory = Kokkos::create_mirror_view_and_copy(Space(), host.refractory);
    state.i_ex = Kokkos::create_mirror_view_and_copy(Space(), host.i_ex);
    state.i_in = Kokkos::create_mirror_view_and_copy(Space(), host.i_in);
    state.j = Kokkos::create_mirror_view_and_copy(Space(), host.j);
    state.conductances = Kokkos::create_mirror_view_and_copy(Space(), host.conductances);
    state.gamma_factors = Kokkos::create_mirror_view_and_copy(Space(), host.gamma_factors);
    state.ou_current = Kokkos::create_mirror_view_and_copy(Space(), host.ou_current);
    state.ou_spare_normal = NeuronState::Values("ou_spare_normal", any_ou ? net.num_local_neurons : 0);
    state.external_current = NeuronState::Values("external_current", net.num_local_neurons);
    for (auto& pop : net.populations) {
        const std::pair<std::uint64_t, std::uint64_t> range(pop.local_offset, pop.local_offset + pop.slice_size());
        pop.v = Kokkos::subview(state.v, range);
        pop.external_current = Kokkos::subview(state.external_current, range);
        if (pop.drive.has_ou)
            pop.ou_current = Kokkos::subview(state.ou_current, range);
        if (pop.model == NeuronModel::lif_dtb) {
            pop.lif_conductances = Kokkos::subview(state.conductances, range, Kokkos::ALL());
            pop.lif_gamma_factors = Kokkos::subview(state.gamma_factors, range, Kokkos::ALL());
        }
    }
}

bool is_voxel_rule(const std::string& rule) { return rule == "voxel_local" || rule == "voxel_dti"; }

ConnectionRule rule_of(const std::string& rule)
{
    if (rule == "fixed_total_number")
        return ConnectionRule::fixed_total_number;
    if (rule == "pairwise_bernoulli")
        return ConnectionRule::pairwise_bernoulli;
    return ConnectionRule::fixed_indegree;
}

// Threads the host-side construction may use (1 without OpenMP).
int host_threads()
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

// Boundaries [r_0 = 0, r_1, ..., r_parts = rows] of `parts` contiguous row
// ranges with about equal numbers of entries, from CSR row pointers.
std::vector<std::uint64_t> split_rows_evenly(const std::vector<std::uint64_t>& row_ptr, int parts)
{
    const std::uint64_t rows = row_ptr.size() - 1;
    const std::uint64_t total = row_ptr.back();
    std::vector<std::uint64_t> bounds = {0};
    for (int p = 1; p < parts; ++p) {
        const std::uint64_t goal = total / static_cast<std::uint64_t>(parts) * static_cast<std::uint64_t>(p);
        const auto at = std::lower_bound(row_ptr.begin(), row_ptr.end(), goal);
        bounds.push_back(std::max(bounds.back(), std::min<std::uint64_t>(rows, static_cast<std::uint64_t>(at - row_ptr.begin()))));
    }
    bounds.push_back(rows);
    return bounds;
}

// Generates the synapses of one projection onto the simulated slice of its
// target population, then groups them by source neuron (CSR).
// `voxel` is set for the voxel_local / voxel_dti rules of brain models.
ProjectionSynapseBlock build_projection(const v1::Projection& spec, std::uint32_t index,
    const NetworkPopulation& source, const NetworkPopulation& target, double dt_ms, std::uint64_t seed,
    const std::string& source_name, const VoxelProjectionTopology* voxel)
{
    ProjectionTopology topology;
    topology.rule = rule_of(spec.rule());
    topology.projection_index = index;
    topology.seed = seed;
    topology.source_first_gid = source.range.first_gid;
    topology.source_size = source.range.size;
    topology.target_first_gid = target.range.first_gid;
    topology.target_size = target.range.size;
    topology.indegree = spec.indegree();
    topology.total = spec.total();
    topology.p = spec.p();
    topology.allow_autapses = spec.allow_autapses();

    const WeightCodec weights = WeightCodec::for_distribution(spec.weight());
    DelayCodec delays;
    if (voxel != nullptr && voxel->long_range) {
        const auto [lo, hi] = std::minmax_element(voxel->arrays->delay_ms.begin(), voxel->arrays->delay_ms.end());
        delays = voxel->arrays->delay_ms.empty()
            ? DelayCodec{}
            : DelayCodec::for_step_range(delay_to_steps(*lo, dt_ms), delay_to_steps(*hi, dt_ms));
    } else {
        try {
            delays = DelayCodec::for_distribution(spec.delay_ms(), dt_ms);
        } catch (const std::invalid_argument& e) {
            throw ModelError(source_name, field("projections", index, "delay_ms"), e.what());
        }
    }

    ProjectionSynapseBlock block;
    block.meta.source_first_gid = source.range.first_gid;
    block.meta.source_size = source.range.size;
    block.meta.weight_base_fx = weights.base_fx;
    block.meta.weight_step_fx = weights.step_fx;
    block.meta.delay_base_steps = delays.base_steps;
    block.meta.delay_steps_per_code = delays.steps_per_code;
    block.meta.channel = channel_of(spec.receptor());
    block.max_delay_steps = delays.max_steps;

    std::vector<std::uint64_t> total_counts;
    if (topology.rule == ConnectionRule::fixed_total_number)
        total_counts = split_total_number(topology, target.slice_begin, target.slice_end);

    // Synapses are generated per target from the target's own streams, so
    // chunks of targets are independent: host threads (OpenMP, when built
    // with it) fill one chunk each, in any order, with identical results.
    struct Chunk {
        std::vector<std::uint32_t> source, target;
        std::vector<std::uint16_t> weight;
        std::vector<std::uint8_t> delay;
    };
    constexpr std::uint64_t chunk_targets = 1024;
    const std::uint64_t num_targets = target.slice_size();
    std::vector<Chunk> chunks((num_targets + chunk_targets - 1) / chunk_targets);
    const auto num_chunks = static_cast<std::int64_t>(chunks.size());
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < num_chunks; ++c) {
        Chunk& chunk = chunks[static_cast<std::size_t>(c)];
        std::vector<std::uint64_t> sources;
        std::vector<double> source_delays_ms;
        const std::uint64_t first = static_cast<std::uint64_t>(c) * chunk_targets;
        const std::uint64_t last = std::min(num_targets, first + chunk_targets);
        for (std::uint64_t i = first; i < last; ++i) {
            const std::uint64_t target_gid = target.range.first_gid + target.slice_begin + i;
            sources.clear();
            source_delays_ms.clear();
            if (voxel != nullptr)
                draw_voxel_sources(*voxel, target.slice_begin + i, sources, source_delays_ms);
            else
                draw_sources(topology, target_gid, total_counts.empty() ? 0 : total_counts[i], sources);
            CounterRng value_rng(seed, RngPurpose::weight, target_gid, index);
            const auto local_target = static_cast<std::uint32_t>(target.local_offset + i);
            const std::size_t begin = chunk.source.size();
            const std::size_t count = sources.size();
            for (std::size_t k = 0; k < count; ++k) {
                chunk.source.push_back(static_cast<std::uint32_t>(sources[k]));
                chunk.target.push_back(local_target);
            }
            chunk.weight.resize(begin + count);
            chunk.delay.resize(begin + count);
            if (source_delays_ms.empty()) {
                draw_synapse_codes(weights, delays, value_rng, count, chunk.weight.data() + begin,
                    chunk.delay.data() + begin);
            } else {
                for (std::size_t k = 0; k < count; ++k) {
                    chunk.weight[begin + k] = weights.draw(value_rng);
                    chunk.delay[begin + k] = delays.encode(delay_to_steps(source_delays_ms[k], dt_ms));
                }
            }
        }
    }

    // Counting sort by source into CSR rows; within a row, targets ascend.
    block.row_ptr.assign(source.range.size + 1, 0);
    for (const auto& chunk : chunks)
        for (auto s : chunk.source)
            ++block.row_ptr[s + 1];
    for (std::uint64_t s = 0; s < source.range.size; ++s)
        block.row_ptr[s + 1] += block.row_ptr[s];
    const std::uint64_t n = block.row_ptr.back();
    block.targets.resize(n);
    block.weight_codes.resize(n);
    block.delay_codes.resize(n);
    // The scatter into rows is random writes, the slow part of the sort:
    // each thread owns a range of source rows holding about n / threads
    // synapses and scans every chunk in order, so every row is filled in the
    // same order (and with the same result) for any number of threads.
    const std::vector<std::uint64_t> row_ranges = split_rows_evenly(block.row_ptr, host_threads());
    const auto num_ranges = static_cast<std::int64_t>(row_ranges.size()) - 1;
#pragma omp parallel for schedule(static, 1)
    for (std::int64_t r = 0; r < num_ranges; ++r) {
        const std::uint64_t first_row = row_ranges[static_cast<std::size_t>(r)];
        const std::uint64_t end_row = row_ranges[static_cast<std::size_t>(r) + 1];
        std::vector<std::uint64_t> fill(block.row_ptr.begin() + static_cast<std::ptrdiff_t>(first_row),
            block.row_ptr.begin() + static_cast<std::ptrdiff_t>(end_row));
        for (const auto& chunk : chunks) {
            for (std::size_t k = 0; k < chunk.source.size(); ++k) {
                const std::uint64_t s = chunk.source[k];
                if (s < first_row || s >= end_row)
                    continue;
                const std::uint64_t at = fill[s - first_row]++;
                block.targets[at] = chunk.target[k];
                block.weight_codes[at] = chunk.weight[k];
                block.delay_codes[at] = chunk.delay[k];
            }
        }
    }
    return block;
}

} // namespace

Network build_network(const v1::Model& model, const std::string& source_name, const NeuronSlices& slices)
{
    Network net;
    net.dt_ms = model.simulation().dt_ms();
    net.seed = model.simulation().seed();

    std::map<std::string, std::size_t> index_of;
    std::uint64_t next_gid = 0;
    std::uint64_t next_local = 0;
    for (int i = 0; i < model.populations_size(); ++i) {
        const auto& spec = model.populations(i);
        NetworkPopulation pop;
        pop.range = PopulationRange{spec.name(), next_gid, spec.size()};
        next_gid += spec.size();
        pop.slice_begin = slices.empty() ? 0 : slices[static_cast<std::size_t>(i)].first;
        pop.slice_end = slices.empty() ? spec.size() : slices[static_cast<std::size_t>(i)].second;
        pop.local_offset = next_local;
        next_local += pop.slice_size();
        if (spec.has_lif_dtb()) {
            pop.model = NeuronModel::lif_dtb;
            pop.lif = lif_dtb_params(spec.lif_dtb(), net.dt_ms);
        } else {
            pop.model = NeuronModel::iaf_psc_exp;
            pop.iaf = iaf_psc_exp_params(spec.iaf_psc_exp(), net.dt_ms);
        }
        pop.drive = build_drive(model, static_cast<std::size_t>(i), net.dt_ms, source_name);
        index_of[spec.name()] = net.populations.size();
        net.populations.push_back(std::move(pop));
    }
    net.num_neurons = next_gid;
    net.num_local_neurons = next_local;
    if (next_local > 0xFFFFFFFFull)
        throw ModelError(source_name, "populations", "more than 2^32 neurons on one process; use more ranks");
    bool any_iaf = false, any_lif = false, any_ou = false;
    for (const auto& pop : net.populations) {
        any_iaf = any_iaf || pop.model == NeuronModel::iaf_psc_exp;
        any_lif = any_lif || pop.model == NeuronModel::lif_dtb;
        any_ou = any_ou || pop.drive.has_ou;
    }
    {
        HostNeuronState host(next_local, any_iaf, any_lif, any_ou);
        for (std::size_t p = 0; p < net.populations.size(); ++p)
            initialise_population(net.populations[p], model.populations(static_cast<int>(p)), net.seed, host);
        place_neuron_state(net, host, any_ou);
    }

    // Brain models: voxel slices of the two populations (E by count_e, I by
    // count_i), the connectivity rows, and per-voxel in-degrees of the voxel
    // projections onto each target population.
    BrainArrays arrays;
    std::vector<VoxelSlices> voxel_slices;
    std::vector<AliasTable> row_tables;
    std::vector<std::vector<std::uint32_t>> voxel_counts(static_cast<std::size_t>(model.projections_size()));
    if (model.has_brain()) {
        arrays = load_brain_arrays(model, source_name);
        voxel_slices = {VoxelSlices::from_counts(arrays.count_e), VoxelSlices::from_counts(arrays.count_i)};
        for (std::size_t p = 0; p < 2 && p < net.populations.size(); ++p)
            if (voxel_slices[p].begin.back() != net.populations[p].range.size)
                throw ModelError(source_name, field("populations", p, "size"),
                    "is " + std::to_string(net.populations[p].range.size) + " but the brain arrays' "
                        + (p == 0 ? "count_e" : "count_i") + " sum to "
                        + std::to_string(voxel_slices[p].begin.back()));
        row_tables = connectivity_row_tables(arrays);
        for (std::size_t t = 0; t < net.populations.size(); ++t) {
            std::vector<int> onto;
            std::vector<double> fractions;
            for (int i = 0; i < model.projections_size(); ++i)
                if (is_voxel_rule(model.projections(i).rule()) && index_of.at(model.projections(i).target()) == t) {
                    onto.push_back(i);
                    fractions.push_back(model.projections(i).fraction());
                }
            const auto counts = voxel_projection_counts(arrays.indegree, fractions);
            for (std::size_t j = 0; j < onto.size(); ++j)
                voxel_counts[static_cast<std::size_t>(onto[j])] = counts[j];
        }
    }

    std::vector<ProjectionSynapseBlock> blocks;
    std::vector<std::uint32_t> source_population;
    std::uint32_t min_delay = 0xFFFFFFFFu, max_delay = 1;
    for (int i = 0; i < model.projections_size(); ++i) {
        const auto& spec = model.projections(i);
        const std::size_t s = index_of.at(spec.source());
        const std::size_t t = index_of.at(spec.target());
        VoxelProjectionTopology voxel;
        if (is_voxel_rule(spec.rule())) {
            voxel.long_range = spec.rule() == "voxel_dti";
            voxel.projection_index = static_cast<std::uint32_t>(i);
            voxel.seed = net.seed;
            voxel.source_first_gid = net.populations[s].range.first_gid;
            voxel.target_first_gid = net.populations[t].range.first_gid;
            voxel.same_population = s == t;
            voxel.source = &voxel_slices.at(s);
            voxel.target = &voxel_slices.at(t);
            voxel.counts = &voxel_counts[static_cast<std::size_t>(i)];
            voxel.arrays = &arrays;
            voxel.row_tables = &row_tables;
            const std::string problem = check_voxel_projection(voxel);
            if (!problem.empty())
                throw ModelError(source_name, field("projections", static_cast<std::size_t>(i), "rule"), problem);
        }
        blocks.push_back(build_projection(spec, static_cast<std::uint32_t>(i), net.populations[s], net.populations[t],
            net.dt_ms, net.seed, source_name, is_voxel_rule(spec.rule()) ? &voxel : nullptr));
        source_population.push_back(static_cast<std::uint32_t>(s));
        min_delay = std::min(min_delay, blocks.back().meta.delay_base_steps);
        max_delay = std::max(max_delay, blocks.back().max_delay_steps);
    }
    // Without projections nothing constrains the interval; 1 ms keeps the
    // host-side bookkeeping infrequent.
    net.min_delay_steps = model.projections_size() > 0
        ? min_delay
        : std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(1.0 / net.dt_ms)));
    net.max_delay_steps = std::max(max_delay, net.min_delay_steps);
    net.synapses = SynapseStore(std::move(blocks), source_population, net.populations.size());
    return net;
}

} // namespace dtb::sim
