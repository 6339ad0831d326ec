// The time loop. It keeps the device busy: within a communication interval it
// launches kernels without waiting for them, and it waits (copies to the
// host or fences) only a bounded number of times per interval. The counts
// are the ones summary.json reports (kernel_launches_per_step,
// host_syncs_per_step), so they must be exact for a known schedule. And one
// update kernel per neuron model gives every population its own parameters.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/network.hpp"
#include "sim/network_builder.hpp"
#include "sim/simulation.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::sim {
namespace {

struct CountingObserver : SpikeObserver {
    std::uint64_t spikes = 0;
    std::uint64_t intervals = 0;
    void on_interval(std::uint64_t, std::uint64_t, const std::vector<SpikeEvent>& interval) override
    {
        spikes += interval.size();
        ++intervals;
    }
};

// Two populations, delays 1.0-2.0 ms at dt 0.1 ms: a 10-step interval.
const char* const model_yaml = R"(
simulation: {dt_ms: 0.1, seed: 3}
populations:
  - {name: E, size: 400, iaf_psc_exp: {I_e: 380.0}, v_init: {kind: uniform, low: -70, high: -55}}
  - {name: I, size: 100, iaf_psc_exp: {I_e: 380.0}, v_init: {kind: uniform, low: -70, high: -55}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: 20.0, delay_ms: {kind: uniform, low: 1.0, high: 2.0}}
  - {source: I, target: E, rule: fixed_indegree, indegree: 10, weight: -80.0, delay_ms: 1.0}
inputs:
  - {name: drive, targets: [E, I], kind: poisson, rate_hz: 8, count: 100, weight: 20}
)";

TEST(SimulationLoopCounters, NoHostWaitInsideAnInterval)
{
    Network net = build_network(test::model_from_yaml(model_yaml), "test.yaml");
    // Room for every event from the start: no growth, so the schedule is fixed.
    Simulation simulation(net, 1u << 20);
    ASSERT_EQ(simulation.interval_steps(), 10u);
    CountingObserver observer;
    const std::uint64_t steps = 2000, intervals = steps / 10;
    simulation.advance(steps, &observer);
    ASSERT_GT(observer.spikes, 1000u) << "an active network, or the delivery path is not exercised";
    ASSERT_EQ(observer.intervals, intervals);

    const LoopCounters& c = simulation.loop_counters();
    EXPECT_EQ(c.steps, steps);
    // Per interval at most: the spike count copy, the spike list copy (for
    // the observer) and the delivery's capacity check; one fence at the end.
    EXPECT_LE(c.host_syncs, 3 * intervals + 1);
    EXPECT_GE(c.host_syncs, intervals + 1) << "the spike count is read once per interval";
    // Per step: one update kernel for both populations (one neuron model)
    // and at most one kernel applying the step's events; per interval at
    // most four more (slot clearing, checkpoint, delivery, spike counter
    // reset).
    EXPECT_GE(c.kernel_launches, steps);
    EXPECT_LE(c.kernel_launches, 2 * steps + 4 * intervals);
}

LoopCounters counters_of_run(std::uint64_t initial_event_capacity)
{
    Network net = build_network(test::model_from_yaml(model_yaml), "test.yaml");
    Simulation simulation(net, initial_event_capacity);
    CountingObserver observer;
    simulation.advance(2000, &observer);
    return simulation.loop_counters();
}

TEST(SimulationLoopCounters, GrowthIsCountedAndRare)
{
    const LoopCounters roomy = counters_of_run(1u << 20);
    const LoopCounters grown = counters_of_run(1); // the first deliveries overflow
    // Each growth replays a delivery: one more check (a host sync) and three
    // more launches (restore, resize, delivery). Lists grow by 1.5x the
    // need, so it stops after a few intervals.
    const std::uint64_t growths = grown.host_syncs - roomy.host_syncs;
    EXPECT_GT(growths, 0u);
    EXPECT_LE(growths, 40u);
    EXPECT_EQ(grown.kernel_launches - roomy.kernel_launches, 3 * growths);
}

// One update kernel per neuron model serves all of its populations, also
// when the populations of two models interleave: each neuron must get its
// own population's parameters. Constant drive and initial voltage make every
// population's spike times independent of the neuron ids, so the
// interleaved network must reproduce each population simulated alone.
struct FirstNeuronSpikes : SpikeObserver {
    std::vector<std::uint64_t> first_gids;
    std::vector<std::vector<std::uint64_t>> steps; // per population: spike steps of its first neuron
    void on_interval(std::uint64_t, std::uint64_t, const std::vector<SpikeEvent>& interval) override
    {
        for (const auto& e : interval)
            for (std::size_t p = 0; p < first_gids.size(); ++p)
                if (e.gid == first_gids[p])
                    steps[p].push_back(e.step);
    }
};

std::vector<std::vector<std::uint64_t>> first_neuron_spike_steps(const std::string& populations)
{
    Network net = build_network(test::model_from_yaml("simulation: {dt_ms: 0.1}\npopulations:\n" + populations), "test.yaml");
    Simulation simulation(net);
    FirstNeuronSpikes observer;
    for (const auto& pop : net.populations)
        observer.first_gids.push_back(pop.range.first_gid);
    observer.steps.resize(net.populations.size());
    simulation.advance(3000, &observer);
    return observer.steps;
}

TEST(SimulationModels, InterleavedPopulationsOfTwoModelsKeepTheirOwnParameters)
{
    const std::string a = "  - {name: A, size: 30, iaf_psc_exp: {I_e: 400.0}, v_init: -65.0}\n";
    const std::string b = "  - {name: B, size: 20, lif_dtb: {I_ext: 1.0}, v_init: -60.0}\n";
    const std::string c = "  - {name: C, size: 10, iaf_psc_exp: {I_e: 700.0, t_ref: 1.0}, v_init: -60.0}\n";
    const auto together = first_neuron_spike_steps(a + b + c);
    const auto alone_a = first_neuron_spike_steps(a);
    const auto alone_b = first_neuron_spike_steps(b);
    const auto alone_c = first_neuron_spike_steps(c);
    ASSERT_EQ(together.size(), 3u);
    for (const auto* alone : {&alone_a, &alone_b, &alone_c})
        ASSERT_GE(alone->at(0).size(), 3u) << "each population must fire repeatedly";
    EXPECT_NE(alone_a[0], alone_c[0]) << "A and C must differ for the test to mean anything";
    EXPECT_EQ(together[0], alone_a[0]);
    EXPECT_EQ(together[1], alone_b[0]);
    EXPECT_EQ(together[2], alone_c[0]);
}

} // namespace
} // namespace dtb::sim
