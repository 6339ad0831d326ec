#include "comm/partition_plan.hpp"
#include "sim/network_builder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <stdexcept>

#include "sim/brain_arrays.hpp"
#include "sim/synapse_value_codec.hpp"

namespace dtb::comm {

namespace {

// Expected in-degree contributed by one projection to each target neuron.
double expected_indegree(const sim::v1::Projection& p, double source_size, double target_size)
{
    if (p.rule() == "fixed_total_number")
        return static_cast<double>(p.total()) / target_size;
    if (p.rule() == "pairwise_bernoulli") {
        const bool self = p.source() == p.target() && !p.allow_autapses();
        return p.p() * (self ? source_size - 1 : source_size);
    }
    return static_cast<double>(p.indegree());
}

struct PopulationInfo {
    std::uint64_t first_gid;
    std::uint64_t size;
    double indegree = 0;
};

} // namespace

int PartitionPlan::owner_of(std::uint64_t gid) const
{
    const auto p = static_cast<std::size_t>(
        std::upper_bound(population_first_gid.begin(), population_first_gid.end(), gid) - population_first_gid.begin() - 1);
    const auto& c = cuts[p];
    const std::uint64_t local = gid - population_first_gid[p];
    // The last rank whose slice starts at or before `local` (empty slices skipped).
    return static_cast<int>(std::upper_bound(c.begin(), c.end() - 1, local) - c.begin()) - 1;
}

sim::NeuronSlices PartitionPlan::slices_for(int rank) const
{
    sim::NeuronSlices slices;
    for (const auto& c : cuts)
        slices.emplace_back(c[static_cast<std::size_t>(rank)], c[static_cast<std::size_t>(rank) + 1]);
    return slices;
}

std::uint64_t PartitionPlan::num_local(int rank) const
{
    std::uint64_t n = 0;
    for (const auto& c : cuts)
        n += c[static_cast<std::size_t>(rank) + 1] - c[static_cast<std::size_t>(rank)];
    return n;
}

std::uint64_t PartitionPlan::local_index(int rank, std::uint64_t gid) const
{
    std::uint64_t offset = 0;
    for (std::size_t p = 0; p < cuts.size(); ++p) {
        const std::uint64_t begin = cuts[p][static_cast<std::size_t>(rank)];
        const std::uint64_t end = cuts[p][static_cast<std::size_t>(rank) + 1];
        const std::uint64_t first = population_first_gid[p];
        if (gid >= first + begin && gid < first + end)
            return offset + (gid - first - begin);
        offset += end - begin;
    }
    return ~std::uint64_t(0);
}

double PartitionPlan::imbalance(const std::vector<double>& per_rank)
{
    if (per_rank.empty())
        return 1.0;
    const double mean = std::accumulate(per_rank.begin(), per_rank.end(), 0.0) / static_cast<double>(per_rank.size());
    const double max = *std::max_element(per_rank.begin(), per_rank.end());
    return mean > 0 ? max / mean : 1.0;
}

std::string PartitionPlan::table() const
{
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%8s %14s %16s %16s %6s %16s\n", "rank", "neurons", "synapses",
        "in_spikes_per_s", "peers", "bytes_per_intvl");
    out += line;
    std::vector<double> neurons, synapses, spikes, peers, bytes;
    for (int r = 0; r < ranks; ++r) {
        const RankLoad& l = loads[static_cast<std::size_t>(r)];
        std::snprintf(line, sizeof line, "%8d %14llu %16.0f %16.1f %6d %16.0f\n", r,
            static_cast<unsigned long long>(l.neurons), l.synapses, l.incoming_spikes_per_s, l.peers,
            l.bytes_per_interval);
        out += line;
        neurons.push_back(static_cast<double>(l.neurons));
        synapses.push_back(l.synapses);
        spikes.push_back(l.incoming_spikes_per_s);
        peers.push_back(l.peers);
        bytes.push_back(l.bytes_per_interval);
    }
    std::snprintf(line, sizeof line, "%8s %14.3f %16.3f %16.3f %6.2f %16.3f\n", "max/mean", imbalance(neurons), imbalance(synapses), imbalance(spikes), imbalance(peers), imbalance(bytes));
    out += line;
    std::snprintf(line, sizeof line,
        "(expected values: spike traffic at a nominal %.1f Hz per neuron, interval %.2f ms)\n", nominal_rate_hz,
        interval_ms);
    out += line;
    return out;
}

PartitionPlan plan_partition(const sim::v1::Model& model, int ranks, double nominal_rate_hz, const std::string& source_name)
{
    if (ranks < 1)
        throw std::invalid_argument("ranks must be >= 1");
    const double dt_ms = model.simulation().dt_ms();
    std::vector<PopulationInfo> pops;
    std::map<std::string, std::size_t> index_of;
    std::uint64_t total_neurons = 0;
    for (const auto& p : model.populations()) {
        index_of[p.name()] = pops.size();
        pops.push_back({total_neurons, p.size()});
        total_neurons += p.size();
    }
    sim::BrainArrays arrays;
    if (model.has_brain())
        arrays = sim::load_brain_arrays(model, source_name);
    double mean_voxel_indegree = 0;
    if (model.has_brain()) {
        double weighted = 0, neurons = 0;
        for (std::size_t v = 0; v < arrays.num_voxels(); ++v) {
            const double n = static_cast<double>(arrays.count_e[v] + arrays.count_i[v]);
            weighted += n * arrays.indegree[v];
            neurons += n;
        }
        mean_voxel_indegree = neurons > 0 ? weighted / neurons : 0;
    }
    // Expected in-degree of one projection; voxel rules take their fraction
    // of K_v (its mean here; per voxel in the cut below).
    auto indegree_of = [&](const sim::v1::Projection& proj) {
        if (proj.rule() == "voxel_local" || proj.rule() == "voxel_dti")
            return proj.fraction() * mean_voxel_indegree;
        const auto& source = pops[index_of.at(proj.source())];
        const auto& target = pops[index_of.at(proj.target())];
        return expected_indegree(proj, static_cast<double>(source.size), static_cast<double>(target.size));
    };
    std::uint32_t min_delay = 0xFFFFFFFFu;
    std::vector<double> voxel_fraction(pops.size(), 0.0); // sum of voxel-rule fractions onto each population
    for (const auto& proj : model.projections()) {
        auto& target = pops[index_of.at(proj.target())];
        target.indegree += indegree_of(proj);
        if (proj.rule() == "voxel_local" || proj.rule() == "voxel_dti")
            voxel_fraction[index_of.at(proj.target())] += proj.fraction();
        min_delay = std::min(min_delay, sim::DelayCodec::for_distribution(proj.delay_ms(), dt_ms).base_steps);
    }
    if (model.projections_size() == 0)
        min_delay = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(1.0 / dt_ms)));

    // Work per neuron and step: its update plus the synaptic events it
    // receives at the nominal rate.
    const double events_per_synapse_step = nominal_rate_hz * dt_ms * 1e-3;
    auto cost_per_neuron = [&](const PopulationInfo& p) { return 1.0 + p.indegree * events_per_synapse_step; };

    PartitionPlan plan;
    plan.ranks = ranks;
    plan.nominal_rate_hz = nominal_rate_hz;
    plan.interval_ms = min_delay * dt_ms;
    for (const auto& p : pops)
        plan.population_first_gid.push_back(p.first_gid);
    plan.cuts.assign(pops.size(), std::vector<std::uint64_t>(static_cast<std::size_t>(ranks) + 1, 0));

    if (model.has_brain() && arrays.num_voxels() >= static_cast<std::size_t>(ranks)) {
        // Voxel units: E and I of a voxel together, voxels in order.
        const std::size_t V = arrays.num_voxels();
        std::vector<double> prefix(V + 1, 0.0);
        for (std::size_t v = 0; v < V; ++v) {
            const double per_neuron_events = arrays.indegree[v] * events_per_synapse_step;
            const double cost = static_cast<double>(arrays.count_e[v]) * (1.0 + voxel_fraction[0] * per_neuron_events)
                + static_cast<double>(arrays.count_i[v]) * (1.0 + voxel_fraction[1] * per_neuron_events);
            prefix[v + 1] = prefix[v] + cost;
        }
        std::vector<std::size_t> voxel_cut(static_cast<std::size_t>(ranks) + 1, V);
        voxel_cut[0] = 0;
        for (int r = 1; r < ranks; ++r) {
            const double goal = prefix[V] * r / ranks;
            std::size_t v = static_cast<std::size_t>(std::lower_bound(prefix.begin(), prefix.end(), goal) - prefix.begin());
            if (v > 0 && goal - prefix[v - 1] < prefix[v] - goal)
                --v; // the nearer boundary
            // Every rank keeps at least one voxel.
            v = std::max(v, voxel_cut[static_cast<std::size_t>(r) - 1] + 1);
            v = std::min(v, V - static_cast<std::size_t>(ranks - r));
            voxel_cut[static_cast<std::size_t>(r)] = v;
        }
        const std::vector<std::uint64_t>* counts[2] = {&arrays.count_e, &arrays.count_i};
        for (std::size_t p = 0; p < 2; ++p) {
            std::vector<std::uint64_t> begin(V + 1, 0);
            for (std::size_t v = 0; v < V; ++v)
                begin[v + 1] = begin[v] + (*counts[p])[v];
            for (int r = 0; r <= ranks; ++r)
                plan.cuts[p][static_cast<std::size_t>(r)] = begin[voxel_cut[static_cast<std::size_t>(r)]];
        }
    } else {
        // Cut the cost prefix sum over global ids into equal parts.
        double total_cost = 0;
        for (const auto& p : pops)
            total_cost += cost_per_neuron(p) * static_cast<double>(p.size);
        std::vector<std::uint64_t> gid_cut(static_cast<std::size_t>(ranks) + 1, total_neurons);
        gid_cut[0] = 0;
        double cost_before = 0;
        std::size_t pi = 0;
        for (int r = 1; r < ranks; ++r) {
            const double goal = total_cost * r / ranks;
            while (pi < pops.size() && cost_before + cost_per_neuron(pops[pi]) * static_cast<double>(pops[pi].size) < goal) {
                cost_before += cost_per_neuron(pops[pi]) * static_cast<double>(pops[pi].size);
                ++pi;
            }
            std::uint64_t cut = total_neurons;
            if (pi < pops.size()) {
                const double within = (goal - cost_before) / cost_per_neuron(pops[pi]);
                cut = pops[pi].first_gid
                    + std::min<std::uint64_t>(pops[pi].size, static_cast<std::uint64_t>(std::llround(within)));
            }
            gid_cut[static_cast<std::size_t>(r)] = std::max(cut, gid_cut[static_cast<std::size_t>(r) - 1]);
        }
        for (std::size_t p = 0; p < pops.size(); ++p)
            for (int r = 0; r <= ranks; ++r)
                plan.cuts[p][static_cast<std::size_t>(r)] = std::clamp(gid_cut[static_cast<std::size_t>(r)],
                                                                pops[p].first_gid, pops[p].first_gid + pops[p].size)
                    - pops[p].first_gid;
    }

    // Loads, including the expected spike traffic between ranks: a source
    // neuron is sent to rank r when at least one of its synapses lands there.
    // (For brain models this treats voxel projections as uniform over the
    // source population: an upper bound on local traffic.)
    plan.loads.resize(static_cast<std::size_t>(ranks));
    std::vector<sim::NeuronSlices> all_slices;
    for (int r = 0; r < ranks; ++r)
        all_slices.push_back(plan.slices_for(r));
    for (int r = 0; r < ranks; ++r) {
        RankLoad& load = plan.loads[static_cast<std::size_t>(r)];
        load.neurons = plan.num_local(r);
        const auto& slices = all_slices[static_cast<std::size_t>(r)];
        for (std::size_t p = 0; p < pops.size(); ++p) {
            const double n = static_cast<double>(slices[p].second - slices[p].first);
            load.synapses += pops[p].indegree * n;
            load.cost += cost_per_neuron(pops[p]) * n;
        }
        // log P(a given source neuron of population s has no target here).
        std::vector<double> log_miss(pops.size(), 0.0);
        for (const auto& proj : model.projections()) {
            const auto& source = pops[index_of.at(proj.source())];
            const std::size_t t = index_of.at(proj.target());
            const double here = static_cast<double>(slices[t].second - slices[t].first);
            const double p_hit = std::min(1.0, indegree_of(proj) / static_cast<double>(source.size));
            log_miss[index_of.at(proj.source())] += here * (p_hit >= 1.0 ? -1e300 : std::log1p(-p_hit));
        }
        for (int s = 0; s < ranks; ++s) {
            if (s == r)
                continue;
            const auto& source_slices = all_slices[static_cast<std::size_t>(s)];
            double needed = 0;
            for (std::size_t p = 0; p < pops.size(); ++p) {
                const double n = static_cast<double>(source_slices[p].second - source_slices[p].first);
                if (n > 0 && log_miss[p] < 0)
                    needed += n * -std::expm1(log_miss[p]);
            }
            if (needed > 0) {
                ++load.peers;
                load.incoming_spikes_per_s += needed * nominal_rate_hz;
            }
        }
        load.bytes_per_interval = load.incoming_spikes_per_s * plan.interval_ms * 1e-3 * sizeof(std::uint64_t);
    }
    return plan;
}

} // namespace dtb::comm
