// Connection rules and the synapse store built from them: exact counts where
// the rule promises them, statistical bounds where it draws them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "sim/connection_rules.hpp"
#include "sim/fixed_point.hpp"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::sim {
namespace {

// Synapses of a built network as (source gid, local target, weight, delay steps).
struct SynapseRecord {
    std::uint64_t source;
    std::uint32_t target;
    double weight;
    std::uint32_t delay;
};

std::vector<SynapseRecord> all_synapses(const Network& net, std::uint32_t projection)
{
    auto meta = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.projections);
    auto row_ptr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.row_ptr);
    auto targets = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.targets);
    auto weights = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.weight_codes);
    auto delays = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.delay_codes);
    const ProjectionSynapses p = meta(projection);
    std::vector<SynapseRecord> out;
    for (std::uint64_t s = 0; s < p.source_size; ++s)
        for (std::uint64_t k = row_ptr(p.row_begin + s); k < row_ptr(p.row_begin + s + 1); ++k)
            out.push_back({p.source_first_gid + s, targets(k),
                from_fixed_point(p.weight_base_fx + p.weight_step_fx * static_cast<std::int64_t>(weights(k))),
                p.delay_base_steps + delays(k)});
    return out;
}

TEST(ConnectionRules, FixedIndegreeIsExactWithoutDuplicatesOrAutapses)
{
    const auto model = test::model_from_yaml(R"(
populations: [{name: E, size: 500, iaf_psc_exp: {}}, {name: I, size: 120, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 100, weight: 1, delay_ms: 1}
  - {source: I, target: E, rule: fixed_indegree, indegree: 119, weight: -1, delay_ms: 1}
  - {source: E, target: I, rule: fixed_indegree, indegree: 500, weight: 1, delay_ms: 1}
)");
    const Network net = build_network(model, "test.yaml");
    const std::uint64_t expected[] = {100, 119, 500};
    for (std::uint32_t p = 0; p < 3; ++p) {
        std::map<std::uint32_t, std::set<std::uint64_t>> sources_of;
        std::map<std::uint32_t, std::uint64_t> count;
        for (const auto& s : all_synapses(net, p)) {
            ++count[s.target];
            EXPECT_TRUE(sources_of[s.target].insert(s.source).second) << "duplicate synapse";
            if (p == 0)
                EXPECT_NE(s.source, s.target) << "autapse";
        }
        const auto target_pop = p == 2 ? 1 : 0;
        EXPECT_EQ(count.size(), net.populations[target_pop].range.size);
        for (const auto& [target, n] : count)
            ASSERT_EQ(n, expected[p]) << "projection " << p << " target " << target;
    }
}

TEST(ConnectionRules, FixedIndegreeSourcesAreUniform)
{
    // Over many targets every source is picked K/(N-1) times per target on
    // average; a chi-square over sources stays within its 1e-4 quantile.
    ProjectionTopology t;
    t.seed = 5;
    t.source_size = t.target_size = 200;
    t.indegree = 20;
    std::vector<double> hits(200, 0);
    std::vector<std::uint64_t> sources;
    const int targets = 2000; // gids beyond the population: only streams differ
    for (int g = 0; g < targets; ++g) {
        sources.clear();
        draw_sources(t, static_cast<std::uint64_t>(g % 200), 0, sources);
        for (auto s : sources)
            hits[s] += 1;
        t.seed = 5 + static_cast<std::uint64_t>(g);
    }
    const double expected = targets * 20.0 / 200.0;
    double chi2 = 0;
    for (double h : hits)
        chi2 += (h - expected) * (h - expected) / expected;
    // 199 degrees of freedom: the 1e-4 upper quantile is about 290.
    EXPECT_LT(chi2, 290.0);
}

TEST(ConnectionRules, PairwiseBernoulliCountWithinBinomialBounds)
{
    const auto model = test::model_from_yaml(R"(
populations: [{name: A, size: 400, iaf_psc_exp: {}}, {name: B, size: 300, iaf_psc_exp: {}}]
projections:
  - {source: A, target: B, rule: pairwise_bernoulli, p: 0.1, weight: 1, delay_ms: 1}
  - {source: A, target: A, rule: pairwise_bernoulli, p: 0.05, weight: 1, delay_ms: 1}
)");
    const Network net = build_network(model, "test.yaml");
    const double n1 = 400.0 * 300.0, p1 = 0.1;
    const auto s1 = all_synapses(net, 0);
    EXPECT_NEAR(static_cast<double>(s1.size()), n1 * p1, 5 * std::sqrt(n1 * p1 * (1 - p1)));
    const double n2 = 400.0 * 399.0, p2 = 0.05;
    const auto s2 = all_synapses(net, 1);
    EXPECT_NEAR(static_cast<double>(s2.size()), n2 * p2, 5 * std::sqrt(n2 * p2 * (1 - p2)));
    for (const auto& s : s2)
        ASSERT_NE(s.source, s.target);
    std::set<std::pair<std::uint64_t, std::uint32_t>> pairs;
    for (const auto& s : s1)
        ASSERT_TRUE(pairs.insert({s.source, s.target}).second);
}

TEST(ConnectionRules, FixedTotalNumberIsExactAndMultinomial)
{
    const auto model = test::model_from_yaml(R"(
populations: [{name: A, size: 300, iaf_psc_exp: {}}, {name: B, size: 250, iaf_psc_exp: {}}]
projections:
  - {source: A, target: B, rule: fixed_total_number, total: 50000, weight: 1, delay_ms: 1}
)");
    const Network net = build_network(model, "test.yaml");
    const auto syn = all_synapses(net, 0);
    ASSERT_EQ(syn.size(), 50000u);
    std::vector<double> per_target(250, 0), per_source(300, 0);
    for (const auto& s : syn) {
        per_target[s.target - 300] += 1;
        per_source[s.source] += 1;
    }
    auto chi2 = [](const std::vector<double>& counts, double expected) {
        double c = 0;
        for (double h : counts)
            c += (h - expected) * (h - expected) / expected;
        return c;
    };
    // 249 and 299 degrees of freedom: 1e-4 upper quantiles about 350 and 410.
    EXPECT_LT(chi2(per_target, 200.0), 350.0);
    EXPECT_LT(chi2(per_source, 50000.0 / 300.0), 410.0);
}

TEST(ConnectionRules, TotalNumberSplitDoesNotDependOnTheQueriedSlice)
{
    ProjectionTopology t;
    t.rule = ConnectionRule::fixed_total_number;
    t.seed = 9;
    t.target_size = 1001;
    t.total = 123457;
    const auto whole = split_total_number(t, 0, 1001);
    std::uint64_t sum = 0;
    for (auto c : whole)
        sum += c;
    EXPECT_EQ(sum, 123457u);
    for (auto [b, e] : {std::pair<std::uint64_t, std::uint64_t>{0, 1}, {17, 400}, {500, 1001}, {333, 334}}) {
        const auto part = split_total_number(t, b, e);
        for (std::uint64_t i = b; i < e; ++i)
            ASSERT_EQ(part[i - b], whole[i]);
    }
}

TEST(ConnectionRules, WeightsAndDelaysFollowTheirDistributions)
{
    const auto model = test::model_from_yaml(R"(
simulation: {dt_ms: 0.1}
populations: [{name: A, size: 1000, iaf_psc_exp: {}}]
projections:
  - {source: A, target: A, rule: fixed_indegree, indegree: 100,
     weight: {kind: normal, mean: 87.8, std: 8.78}, delay_ms: {kind: normal, mean: 1.5, std: 0.75}}
  - {source: A, target: A, rule: fixed_indegree, indegree: 100, receptor: inhibitory,
     weight: {kind: normal, mean: -10, std: 20}, delay_ms: {kind: uniform, low: 0.5, high: 2.5}}
)");
    const Network net = build_network(model, "test.yaml");
    {
        const auto syn = all_synapses(net, 0);
        const double n = static_cast<double>(syn.size());
        double mean = 0, var = 0, dmin = 1e9;
        for (const auto& s : syn)
            mean += s.weight / n;
        for (const auto& s : syn) {
            var += (s.weight - mean) * (s.weight - mean) / n;
            dmin = std::min<double>(dmin, s.delay);
        }
        EXPECT_NEAR(mean, 87.8, 5 * 8.78 / std::sqrt(n));
        EXPECT_NEAR(std::sqrt(var), 8.78, 0.02 * 8.78);
        EXPECT_GE(dmin, 1.0); // delays never below dt
        // Normal delays truncated at dt: the mean of N(15, 7.5) steps cut at 1 step.
        double dmean = 0;
        for (const auto& s : syn)
            dmean += s.delay / n;
        const double a = (1.0 - 15.0) / 7.5; // redrawn below dt = 1 step, then rounded
        const double phi = std::exp(-0.5 * a * a) / std::sqrt(2 * M_PI);
        const double Phi = 0.5 * std::erfc(-a / std::sqrt(2.0));
        EXPECT_NEAR(dmean, 15.0 + 7.5 * phi / (1 - Phi), 0.05);
    }
    {
        const auto syn = all_synapses(net, 1);
        std::map<std::uint32_t, double> delay_hist;
        for (const auto& s : syn) {
            ASSERT_LE(s.weight, 0.0) << "inhibitory weight crossed zero";
            ASSERT_GE(s.delay, 5u);
            ASSERT_LE(s.delay, 25u);
            delay_hist[s.delay] += 1;
        }
        // Uniform [0.5, 2.5) ms in steps of 0.1: interior steps equally likely.
        const double per_step = static_cast<double>(syn.size()) / 20.0;
        for (std::uint32_t d = 6; d <= 24; ++d)
            EXPECT_NEAR(delay_hist[d], per_step, 5 * std::sqrt(per_step)) << "delay " << d;
    }
}

TEST(ConnectionRules, SlicedBuildsHoldTheSameSynapses)
{
    // Building half of the network gives exactly the synapses onto that half
    // of the full build: connectivity does not depend on the partition.
    const std::string yaml = R"(
simulation: {seed: 21}
populations: [{name: E, size: 400, iaf_psc_exp: {}}, {name: I, size: 100, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: {kind: uniform, low: 1, high: 2}, delay_ms: {kind: uniform, low: 0.5, high: 3}}
  - {source: I, target: E, rule: fixed_total_number, total: 9000, weight: -5, delay_ms: 1}
  - {source: E, target: I, rule: pairwise_bernoulli, p: 0.2, weight: 3, delay_ms: {kind: normal, mean: 2, std: 1}}
)";
    const auto model = test::model_from_yaml(yaml);
    const Network full = build_network(model, "test.yaml");
    const Network half = build_network(model, "test.yaml", {{150, 400}, {0, 40}});
    for (std::uint32_t p = 0; p < 3; ++p) {
        const auto target_pop = p == 2 ? 1u : 0u;
        const auto& hp = half.populations[target_pop];
        const auto& fp = full.populations[target_pop];
        std::vector<std::tuple<std::uint64_t, std::uint64_t, double, std::uint32_t>> from_full, from_half;
        for (const auto& s : all_synapses(full, p)) {
            const std::uint64_t t = s.target - fp.local_offset;
            if (t >= hp.slice_begin && t < hp.slice_end)
                from_full.emplace_back(s.source, t, s.weight, s.delay);
        }
        for (const auto& s : all_synapses(half, p))
            from_half.emplace_back(s.source, s.target - hp.local_offset + hp.slice_begin, s.weight, s.delay);
        std::sort(from_full.begin(), from_full.end());
        std::sort(from_half.begin(), from_half.end());
        ASSERT_FALSE(from_full.empty());
        EXPECT_EQ(from_full, from_half) << "projection " << p;
    }
}

} // namespace
} // namespace dtb::sim
