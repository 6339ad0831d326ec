// The synaptic event queue: packing, growth with rollback, and the engine's
// results not depending on how often the queue had to grow.
#include <gtest/gtest.h>

#include <vector>

#include "sim/network.hpp"
#include "sim/network_builder.hpp"
#include "sim/simulation.hpp"
#include "sim/synaptic_event_queue.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::sim {
namespace {

TEST(SynapticEvent, PacksTargetProjectionAndWeightCodeLosslessly)
{
    const std::uint32_t targets[] = {0u, 1u, 77168u, 0xffffffffu};
    const std::uint32_t projections[] = {0u, 7u, 0xffffu};
    const std::uint16_t codes[] = {0u, 1u, 32768u, 0xffffu};
    for (auto t : targets)
        for (auto p : projections)
            for (auto c : codes) {
                const std::uint64_t event = pack_synaptic_event(t, p, c);
                EXPECT_EQ(synaptic_event_target(event), t);
                EXPECT_EQ(synaptic_event_projection(event), p);
                EXPECT_EQ(synaptic_event_weight_code(event), c);
            }
}

// Appends `n` events (value = 1000 * slot + i) to `slot` the way the delivery
// kernel does: claim an index, write only below capacity.
void append(SynapticEventQueue& queue, std::uint32_t slot, std::uint64_t n)
{
    const auto events = queue.events();
    const auto counts = queue.counts();
    const std::uint64_t capacity = queue.capacity();
    Kokkos::parallel_for("append", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const std::uint64_t i) {
        const std::uint64_t index = Kokkos::atomic_fetch_add(&counts(slot), std::uint64_t(1));
        if (index < capacity)
            events(slot, index) = 1000 * slot + i;
    });
}

std::vector<std::uint64_t> slot_events(const SynapticEventQueue& queue, std::uint32_t slot)
{
    auto events = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), queue.events());
    std::vector<std::uint64_t> values;
    for (std::uint64_t i = 0; i < queue.count(slot); ++i)
        values.push_back(events(slot, i));
    std::sort(values.begin(), values.end());
    return values;
}

TEST(SynapticEventQueue, OverflowRollsBackGrowsAndKeepsEarlierEvents)
{
    SynapticEventQueue queue(4, 3);
    queue.checkpoint();
    append(queue, 2, 2);
    ASSERT_TRUE(queue.commit_or_grow());
    EXPECT_EQ(queue.count(2), 2u);

    // 5 more do not fit in 3: the counts go back to the checkpoint (2 in slot
    // 2), the lists grow, and the same appends then fit.
    queue.checkpoint();
    append(queue, 2, 3);
    append(queue, 1, 2);
    ASSERT_FALSE(queue.commit_or_grow());
    EXPECT_GE(queue.capacity(), 5u);
    EXPECT_EQ(queue.count(2), 2u) << "host counts still those of the checkpoint";
    EXPECT_EQ(slot_events(queue, 2), (std::vector<std::uint64_t>{2000, 2001})) << "events before the overflow survive growth";
    append(queue, 2, 3);
    append(queue, 1, 2);
    ASSERT_TRUE(queue.commit_or_grow());
    EXPECT_EQ(slot_events(queue, 2), (std::vector<std::uint64_t>{2000, 2000, 2001, 2001, 2002}));
    EXPECT_EQ(slot_events(queue, 1), (std::vector<std::uint64_t>{1000, 1001}));

    // Step 6 is slot 2 of 4; steps 7 and 8 (slots 3 and 0) are empty.
    EXPECT_TRUE(queue.clear_steps(6, 3));
    EXPECT_EQ(queue.count(2), 0u);
    EXPECT_EQ(queue.count(1), 2u);
    auto counts = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), queue.counts());
    EXPECT_EQ(counts(2), 0u);
    EXPECT_EQ(counts(1), 2u);
    EXPECT_FALSE(queue.clear_steps(7, 2)) << "nothing left to clear in slots 3 and 0";
    EXPECT_TRUE(queue.clear_steps(5, 1));
    counts = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), queue.counts());
    EXPECT_EQ(counts(1), 0u);
}

// Records every spike and, each step, the membrane potential of every neuron.
struct Trace : SpikeObserver {
    std::vector<SpikeEvent> spikes;
    void on_interval(std::uint64_t, std::uint64_t, const std::vector<SpikeEvent>& interval) override
    {
        spikes.insert(spikes.end(), interval.begin(), interval.end());
    }
};

std::pair<std::vector<SpikeEvent>, std::vector<double>> run(std::uint64_t initial_event_capacity)
{
    // A recurrent E/I network with delays of 1-4 ms and a synchronous start
    // (every neuron fires in the first steps), so the queue's first lists
    // overflow a small capacity many times over.
    const auto model = test::model_from_yaml(R"(
simulation: {dt_ms: 0.1, seed: 11}
populations:
  - {name: E, size: 400, iaf_psc_exp: {I_e: 380.0}, v_init: -55.0}
  - {name: I, size: 100, iaf_psc_exp: {I_e: 380.0}, v_init: {kind: uniform, low: -70, high: -55}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: 20.0, delay_ms: {kind: uniform, low: 1.0, high: 4.0}}
  - {source: E, target: I, rule: fixed_indegree, indegree: 40, weight: 20.0, delay_ms: 1.5}
  - {source: I, target: E, rule: fixed_indegree, indegree: 10, weight: -80.0, delay_ms: {kind: uniform, low: 1.0, high: 2.0}}
  - {source: I, target: I, rule: fixed_indegree, indegree: 10, weight: -80.0, delay_ms: 1.0}
)");
    Network net = build_network(model, "test.yaml");
    Simulation simulation(net, initial_event_capacity);
    Trace trace;
    simulation.advance(2000, &trace);
    std::vector<double> v;
    for (const auto& pop : net.populations) {
        auto state = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pop.v);
        for (std::size_t i = 0; i < state.extent(0); ++i)
            v.push_back(state(i));
    }
    return {trace.spikes, v};
}

TEST(SynapticEventQueue, ResultsDoNotDependOnHowOftenTheQueueGrew)
{
    const auto [grown_spikes, grown_v] = run(1);             // grows from one event per slot
    const auto [roomy_spikes, roomy_v] = run(1u << 20);      // never grows
    ASSERT_GT(roomy_spikes.size(), 1000u) << "the network must be active for the comparison to mean anything";
    EXPECT_EQ(grown_spikes, roomy_spikes);
    EXPECT_EQ(grown_v, roomy_v); // bitwise: the same fixed-point sums
}

} // namespace
} // namespace dtb::sim
