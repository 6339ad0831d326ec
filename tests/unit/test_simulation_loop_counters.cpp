// The time loop keeps the device busy: within a communication interval it
// launches kernels without waiting for them, and it waits (copies to the
// host or fences) only a bounded number of times per interval. The counts
// are the ones summary.json reports (kernel_launches_per_step,
// host_syncs_per_step), so they must be exact for a known schedule.
#include <gtest/gtest.h>

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
    // Per step: one update kernel per population and at most one kernel
    // applying the step's events; per interval at most four more (slot
    // clearing, checkpoint, delivery, spike counter reset).
    EXPECT_GE(c.kernel_launches, 2 * steps);
    EXPECT_LE(c.kernel_launches, 3 * steps + 4 * intervals);
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

} // namespace
} // namespace dtb::sim
