#include "comm/partition_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <stdexcept>

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
    const auto it = std::upper_bound(rank_first_gid.begin(), rank_first_gid.end(), gid);
    return static_cast<int>(it - rank_first_gid.begin()) - 1;
}

sim::NeuronSlices PartitionPlan::slices_for(int rank, const std::vector<sim::PopulationRange>& populations) const
{
    const std::uint64_t begin = rank_first_gid[static_cast<std::size_t>(rank)];
    const std::uint64_t end = rank_first_gid[static_cast<std::size_t>(rank) + 1];
    sim::NeuronSlices slices;
    for (const auto& p : populations) {
        const std::uint64_t a = std::clamp(begin, p.first_gid, p.first_gid + p.size);
        const std::uint64_t b = std::clamp(end, p.first_gid, p.first_gid + p.size);
        slices.emplace_back(a - p.first_gid, std::max(a, b) - p.first_gid);
    }
    return slices;
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
    std::snprintf(line, sizeof line, "%5s %14s %14s %16s %16s %6s %16s\n", "rank", "first_gid", "neurons",
        "synapses", "in_spikes_per_s", "peers", "bytes_per_intvl");
    out += line;
    std::vector<double> neurons, synapses, spikes, peers, bytes;
    for (int r = 0; r < ranks; ++r) {
        const RankLoad& l = loads[static_cast<std::size_t>(r)];
        std::snprintf(line, sizeof line, "%5d %14llu %14llu %16.0f %16.1f %6d %16.0f\n", r,
            static_cast<unsigned long long>(l.first_gid), static_cast<unsigned long long>(l.neurons), l.synapses,
            l.incoming_spikes_per_s, l.peers, l.bytes_per_interval);
        out += line;
        neurons.push_back(static_cast<double>(l.neurons));
        synapses.push_back(l.synapses);
        spikes.push_back(l.incoming_spikes_per_s);
        peers.push_back(l.peers);
        bytes.push_back(l.bytes_per_interval);
    }
    std::snprintf(line, sizeof line, "%5s %14s %14.3f %16.3f %16.3f %6.2f %16.3f\n", "max/mean", "",
        imbalance(neurons), imbalance(synapses), imbalance(spikes), imbalance(peers), imbalance(bytes));
    out += line;
    std::snprintf(line, sizeof line,
        "(expected values: spike traffic at a nominal %.1f Hz per neuron, interval %.2f ms)\n", nominal_rate_hz,
        interval_ms);
    out += line;
    return out;
}

PartitionPlan plan_partition(const sim::v1::Model& model, int ranks, double nominal_rate_hz)
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
    std::uint32_t min_delay = 0xFFFFFFFFu;
    for (const auto& proj : model.projections()) {
        auto& target = pops[index_of.at(proj.target())];
        const auto& source = pops[index_of.at(proj.source())];
        target.indegree += expected_indegree(proj, static_cast<double>(source.size), static_cast<double>(target.size));
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
    double total_cost = 0;
    for (const auto& p : pops)
        total_cost += cost_per_neuron(p) * static_cast<double>(p.size);

    // Cut the cost prefix sum into equal parts, at neuron granularity.
    plan.rank_first_gid.assign(static_cast<std::size_t>(ranks) + 1, total_neurons);
    plan.rank_first_gid[0] = 0;
    double cost_before = 0; // cost of populations before the current one
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
            cut = pops[pi].first_gid + std::min<std::uint64_t>(pops[pi].size, static_cast<std::uint64_t>(std::llround(within)));
        }
        plan.rank_first_gid[static_cast<std::size_t>(r)] = std::max(cut, plan.rank_first_gid[static_cast<std::size_t>(r) - 1]);
    }

    // Loads, including the expected spike traffic between ranks: a source
    // neuron is sent to rank r when at least one of its synapses lands there.
    plan.loads.resize(static_cast<std::size_t>(ranks));
    std::vector<sim::PopulationRange> ranges;
    for (const auto& p : pops)
        ranges.push_back({"", p.first_gid, p.size});
    for (int r = 0; r < ranks; ++r) {
        RankLoad& load = plan.loads[static_cast<std::size_t>(r)];
        load.first_gid = plan.rank_first_gid[static_cast<std::size_t>(r)];
        load.neurons = plan.rank_first_gid[static_cast<std::size_t>(r) + 1] - load.first_gid;
        const auto slices = plan.slices_for(r, ranges);
        std::vector<double> received_from(static_cast<std::size_t>(ranks), 0.0);
        for (std::size_t p = 0; p < pops.size(); ++p) {
            const double n = static_cast<double>(slices[p].second - slices[p].first);
            load.synapses += pops[p].indegree * n;
            load.cost += cost_per_neuron(pops[p]) * n;
        }
        // log P(a given source neuron of population s has no target here).
        std::vector<double> log_miss(pops.size(), 0.0);
        for (const auto& proj : model.projections()) {
            const auto& source = pops[index_of.at(proj.source())];
            const auto& target = pops[index_of.at(proj.target())];
            const std::size_t t = index_of.at(proj.target());
            const double here = static_cast<double>(slices[t].second - slices[t].first);
            const double k = expected_indegree(proj, static_cast<double>(source.size), static_cast<double>(target.size));
            const double p_hit = std::min(1.0, k / static_cast<double>(source.size));
            log_miss[index_of.at(proj.source())] += here * (p_hit >= 1.0 ? -1e300 : std::log1p(-p_hit));
        }
        std::vector<bool> is_peer(static_cast<std::size_t>(ranks), false);
        for (int s = 0; s < ranks; ++s) {
            if (s == r)
                continue;
            const auto source_slices = plan.slices_for(s, ranges);
            double needed = 0;
            for (std::size_t p = 0; p < pops.size(); ++p) {
                const double n = static_cast<double>(source_slices[p].second - source_slices[p].first);
                if (n > 0 && log_miss[p] < 0)
                    needed += n * -std::expm1(log_miss[p]);
            }
            if (needed > 0) {
                is_peer[static_cast<std::size_t>(s)] = true;
                load.incoming_spikes_per_s += needed * nominal_rate_hz;
            }
        }
        load.peers = static_cast<int>(std::count(is_peer.begin(), is_peer.end(), true));
        load.bytes_per_interval = load.incoming_spikes_per_s * plan.interval_ms * 1e-3 * sizeof(std::uint64_t);
    }
    return plan;
}

} // namespace dtb::comm
