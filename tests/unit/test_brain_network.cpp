// Realised synapses of a brain bundle (issue 4): built with the engine's
// voxel_local / voxel_dti rules from a small synthetic bundle written by the
// builder's writer. Every neuron gets exactly K_v in-synapses in the DTB
// shares (4/7 local E, 1/7 local I, 2/7 long-range E), long-range sources
// follow the connectivity row, never come from I, and carry its delays.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "sim/brain/brain_model_spec.hpp"
#include "sim/brain/neuron_allocation.hpp"
#include "sim/brain_arrays.hpp"
#include "sim/fixed_point.hpp"
#include "sim/model_loader.hpp"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::sim {
namespace {

struct Synapse {
    std::uint64_t source_gid;
    std::uint64_t target_gid;
    std::uint32_t delay_steps;
};

std::vector<Synapse> synapses_of(const Network& net, std::uint32_t projection, std::uint64_t local_to_gid_offset)
{
    auto meta = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.projections);
    auto row_ptr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.row_ptr);
    auto targets = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.targets);
    auto delays = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.synapses.delay_codes);
    const ProjectionSynapses p = meta(projection);
    std::vector<Synapse> out;
    for (std::uint64_t s = 0; s < p.source_size; ++s)
        for (std::uint64_t k = row_ptr(p.row_begin + s); k < row_ptr(p.row_begin + s + 1); ++k)
            out.push_back({ p.source_first_gid + s, local_to_gid_offset + targets(k),
                p.delay_base_steps + delays(k) * p.delay_steps_per_code });
    return out;
}

// Four voxels with different sizes and in-degrees (the 130 and 70 of a
// density-scaled model) and asymmetric rows.
BrainArrays four_voxels()
{
    BrainArrays a;
    a.count_e = { 240, 400, 320, 200 };
    a.count_i = { 60, 100, 80, 50 };
    a.indegree = { 100, 70, 130, 100 };
    a.centre_mm = { 0, 0, 0, 6, 0, 0, 0, 6, 0, 60, 60, 0 };
    a.label = { 1, 1, 2, 3 };
    a.grey_matter = { 216, 360, 288, 180 };
    a.density = { 1, 0.7, 1.3, 1 };
    a.row_ptr = { 0, 3, 4, 7, 9 };
    a.source = { 1, 2, 3, 0, 0, 1, 3, 1, 2 };
    a.weight = { 0.5, 0.3, 0.2, 1.0, 0.25, 0.25, 0.5, 0.6, 0.4 };
    a.delay_ms = { 2.0, 3.5, 24.3, 2.0, 4.0, 3.0, 25.0, 23.1, 22.04 }; // a span under 255 steps: exact
    a.connectivity_kind = "dti";
    a.velocity_m_per_s = 3;
    a.voxel_mm = 6;
    return a;
}

std::size_t voxel_of(const std::vector<std::uint64_t>& counts, std::uint64_t index)
{
    for (std::size_t v = 0; v < counts.size(); ++v) {
        if (index < counts[v])
            return v;
        index -= counts[v];
    }
    return counts.size();
}

TEST(BrainNetwork, RealisedSynapsesFollowTheDtbVoxelRules)
{
    test::TempDirectory dir;
    const BrainArrays a = four_voxels();
    write_brain_arrays(dir.file("brain.h5"), a);
    brain::BrainModelSpec spec;
    spec.name = "four_voxels";
    for (std::size_t v = 0; v < a.num_voxels(); ++v) {
        spec.num_excitatory += a.count_e[v];
        spec.num_inhibitory += a.count_i[v];
    }
    test::write_text_file(dir.file("model.yaml"), brain::brain_model_yaml(spec));
    const auto model = load_model_file(dir.file("model.yaml"));
    const Network net = build_network(model, dir.file("model.yaml"));
    ASSERT_EQ(net.populations.size(), 2u);
    const std::uint64_t num_e = spec.num_excitatory;
    ASSERT_EQ(net.populations[0].range.size, num_e);
    ASSERT_EQ(net.populations[1].range.first_gid, num_e);
    const double dt = model.simulation().dt_ms();

    // Per target neuron and projection: sources (for duplicates) and counts.
    std::map<std::uint64_t, std::map<std::uint32_t, std::uint32_t>> count;
    std::map<std::uint64_t, std::set<std::uint64_t>> sources_of;
    // Long-range synapses per (target voxel, source voxel).
    std::map<std::pair<std::size_t, std::size_t>, double> long_range;
    std::map<std::size_t, double> long_range_total;
    const auto population_and_voxel = [&](std::uint64_t gid) {
        const bool excitatory = gid < num_e;
        const std::uint64_t local = excitatory ? gid : gid - num_e;
        return std::make_pair(excitatory, voxel_of(excitatory ? a.count_e : a.count_i, local));
    };
    for (std::uint32_t p = 0; p < 6; ++p) {
        for (const Synapse& s : synapses_of(net, p, 0)) {
            ++count[s.target_gid][p];
            EXPECT_TRUE(sources_of[s.target_gid].insert(s.source_gid).second)
                << "duplicate source " << s.source_gid << " of target " << s.target_gid;
            EXPECT_NE(s.source_gid, s.target_gid) << "autapse";
            const auto [source_excitatory, source_voxel] = population_and_voxel(s.source_gid);
            const auto [target_excitatory, target_voxel] = population_and_voxel(s.target_gid);
            EXPECT_EQ(target_excitatory, p < 3) << "projection " << p;
            const bool dti = p % 3 == 2;
            if (!dti) {
                EXPECT_EQ(source_voxel, target_voxel) << "local synapse across voxels, projection " << p;
                EXPECT_EQ(source_excitatory, p % 3 == 0);
                EXPECT_EQ(s.delay_steps, 10u); // 1 ms
                continue;
            }
            // Long range: excitatory sources only, from another voxel of
            // the row, with that pair's delay in whole steps.
            EXPECT_TRUE(source_excitatory) << "inhibitory long-range source";
            EXPECT_NE(source_voxel, target_voxel);
            std::uint64_t k = a.row_ptr[target_voxel];
            while (k < a.row_ptr[target_voxel + 1] && a.source[k] != source_voxel)
                ++k;
            ASSERT_LT(k, a.row_ptr[target_voxel + 1]) << "source voxel not in the row";
            EXPECT_EQ(s.delay_steps, static_cast<std::uint32_t>(std::llround(a.delay_ms[k] / dt)));
            long_range[{ target_voxel, source_voxel }] += 1;
            long_range_total[target_voxel] += 1;
        }
    }
    // In-degree exact per neuron, split 4:1:2 by largest remainder.
    ASSERT_EQ(count.size(), num_e + spec.num_inhibitory);
    for (const auto& [gid, per_projection] : count) {
        const auto [excitatory, voxel] = population_and_voxel(gid);
        const brain::InDegreeSplit split = brain::split_indegree(a.indegree[voxel]);
        const std::uint32_t base = excitatory ? 0 : 3;
        const auto get = [&](std::uint32_t p) {
            const auto it = per_projection.find(p);
            return it == per_projection.end() ? 0u : it->second;
        };
        ASSERT_EQ(get(base + 0), split.local_e) << "gid " << gid;
        ASSERT_EQ(get(base + 1), split.local_i) << "gid " << gid;
        ASSERT_EQ(get(base + 2), split.long_range) << "gid " << gid;
    }
    // Long-range sources per voxel follow the row: each share within 5
    // binomial standard deviations (draws per target are without
    // replacement of neurons, not of voxels, so voxel draws are independent).
    for (std::size_t v = 0; v < a.num_voxels(); ++v) {
        const double n = long_range_total[v];
        ASSERT_GT(n, 0);
        for (std::uint64_t k = a.row_ptr[v]; k < a.row_ptr[v + 1]; ++k) {
            const double p = a.weight[k];
            const double got = long_range[{ v, a.source[k] }];
            EXPECT_NEAR(got, n * p, 5 * std::sqrt(n * p * (1 - p)) + 1)
                << "target voxel " << v << " source voxel " << a.source[k];
        }
    }
    // Overall shares close to 4/7, 1/7, 2/7 (exact per neuron up to rounding).
    double local_e = 0, local_i = 0, total = 0, lr = 0;
    for (const auto& [gid, per_projection] : count)
        for (const auto& [p, c] : per_projection) {
            total += c;
            (p % 3 == 0 ? local_e : p % 3 == 1 ? local_i : lr) += c;
        }
    EXPECT_NEAR(local_e / total, 4.0 / 7, 0.01);
    EXPECT_NEAR(local_i / total, 1.0 / 7, 0.01);
    EXPECT_NEAR(lr / total, 2.0 / 7, 0.01);
}

} // namespace
} // namespace dtb::sim
