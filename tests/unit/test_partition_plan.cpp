// The partitioner: every neuron on exactly one rank, reported imbalance equal
// to a recomputation, deterministic, and balanced where the model allows it.
#include <gtest/gtest.h>

#include <numeric>

#include "comm/partition_plan.hpp"
#include "sim/network_builder.hpp"
#include "sim/model_loader.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::comm {
namespace {

const char* heterogeneous_model = R"(
populations:
  - {name: A, size: 10000, iaf_psc_exp: {}}
  - {name: B, size: 300, iaf_psc_exp: {}}
  - {name: C, size: 5000, iaf_psc_exp: {}}
  - {name: D, size: 7, iaf_psc_exp: {}}
projections:
  - {source: A, target: A, rule: fixed_indegree, indegree: 100, weight: 1, delay_ms: 1}
  - {source: A, target: C, rule: fixed_indegree, indegree: 2000, weight: 1, delay_ms: 1}
  - {source: B, target: C, rule: pairwise_bernoulli, p: 0.5, weight: 1, delay_ms: 1}
  - {source: C, target: B, rule: fixed_total_number, total: 30000, weight: 1, delay_ms: 1}
)";

TEST(PartitionPlan, EveryNeuronOnExactlyOneRank)
{
    const auto model = test::model_from_yaml(heterogeneous_model);
    const auto ranges = sim::population_ranges(model);
    for (int ranks : {1, 2, 3, 4, 7, 16}) {
        const PartitionPlan plan = plan_partition(model, ranks);
        std::vector<int> owners(15307, 0);
        std::uint64_t total = 0;
        for (int r = 0; r < ranks; ++r) {
            const auto slices = plan.slices_for(r);
            std::uint64_t local = 0;
            for (std::size_t p = 0; p < ranges.size(); ++p)
                for (std::uint64_t i = slices[p].first; i < slices[p].second; ++i) {
                    const std::uint64_t gid = ranges[p].first_gid + i;
                    ++owners[gid];
                    ASSERT_EQ(plan.owner_of(gid), r);
                    ASSERT_EQ(plan.local_index(r, gid), local++);
                }
            EXPECT_EQ(plan.num_local(r), local);
            total += local;
        }
        EXPECT_EQ(total, 15307u);
        for (std::size_t g = 0; g < owners.size(); ++g)
            ASSERT_EQ(owners[g], 1) << "gid " << g << " with " << ranks << " ranks";
    }
}

TEST(PartitionPlan, ReportedLoadsMatchARecomputation)
{
    const auto model = test::model_from_yaml(heterogeneous_model);
    const auto ranges = sim::population_ranges(model);
    const PartitionPlan plan = plan_partition(model, 4, 5.0);
    // Expected in-degree per neuron of each population, by hand.
    const double indegree[] = {100.0, 30000.0 / 300.0, 2000.0 + 0.5 * 300.0, 0.0};
    const double events = 5.0 * 0.1e-3;
    std::vector<double> costs, synapses;
    for (int r = 0; r < 4; ++r) {
        const auto slices = plan.slices_for(r);
        double cost = 0, syn = 0;
        for (std::size_t p = 0; p < 4; ++p) {
            const double n = static_cast<double>(slices[p].second - slices[p].first);
            cost += n * (1.0 + indegree[p] * events);
            syn += n * indegree[p];
        }
        EXPECT_NEAR(plan.loads[static_cast<std::size_t>(r)].cost, cost, 1e-6 * cost);
        EXPECT_NEAR(plan.loads[static_cast<std::size_t>(r)].synapses, syn, 1e-6 * syn);
        costs.push_back(cost);
        synapses.push_back(syn);
    }
    const double mean = std::accumulate(costs.begin(), costs.end(), 0.0) / 4.0;
    const double max = *std::max_element(costs.begin(), costs.end());
    EXPECT_DOUBLE_EQ(PartitionPlan::imbalance(costs), max / mean);
    // Neuron-granular cuts on the cost: balanced to well within 1.1.
    EXPECT_LT(PartitionPlan::imbalance(costs), 1.01);
    const std::string table = plan.table();
    EXPECT_NE(table.find("max/mean"), std::string::npos);
}

TEST(PartitionPlan, IsDeterministic)
{
    const auto model = test::model_from_yaml(heterogeneous_model);
    const PartitionPlan a = plan_partition(model, 5);
    const PartitionPlan b = plan_partition(model, 5);
    EXPECT_EQ(a.cuts, b.cuts);
    EXPECT_EQ(a.table(), b.table());
}

TEST(PartitionPlan, MicrocircuitIsBalancedOnFourRanks)
{
    const auto model = sim::load_model_file(DTB_SOURCE_DIR "/examples/microcircuit.yaml");
    const PartitionPlan plan = plan_partition(model, 4);
    std::vector<double> costs;
    for (const auto& l : plan.loads)
        costs.push_back(l.cost);
    EXPECT_LE(PartitionPlan::imbalance(costs), 1.1);
    for (const auto& l : plan.loads) {
        EXPECT_EQ(l.peers, 3); // dense cortical connectivity: everyone talks to everyone
        EXPECT_GT(l.incoming_spikes_per_s, 0.0);
    }
}

} // namespace
} // namespace dtb::comm
