// lif_dtb (the DTB neuron) against analytic results.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/network.hpp"
#include "sim/neuron_params_from_spec.hpp"
#include "sim/network_builder.hpp"
#include "sim/simulation.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::sim {
namespace {

constexpr double dt = 0.1;

LifDtbParams default_params(double I_ext = 0)
{
    v1::Model model = test::model_from_yaml("populations: [{name: E, size: 1, lif_dtb: {}}]");
    auto spec = model.populations(0).lif_dtb();
    spec.set_i_ext(I_ext);
    return lif_dtb_params(spec, dt);
}

TEST(LifDtb, SubthresholdRelaxationFollowsTheDiscreteSolution)
{
    // Forward Euler of a linear ODE: V_n - V* = (1 - dt g_L / C)^n (V_0 - V*),
    // with V* = V_L + I_ext / g_L.
    const double I_ext = 0.1; // nA -> V* = -70 + 4 = -66 mV, below threshold
    const auto p = default_params(I_ext);
    const double g[4] = {p.g_population[0], p.g_population[1], p.g_population[2], p.g_population[3]};
    const double v_star = p.V_L + I_ext / p.g_L;
    const double factor = 1.0 - dt * p.g_L / 0.5;
    LifDtbState s;
    s.v = -58.0;
    for (int n = 1; n <= 20000; ++n) {
        ASSERT_FALSE(lif_dtb_step(p, g, s, 0, 0, 0));
        const double expected = v_star + std::pow(factor, n) * (-58.0 - v_star);
        ASSERT_NEAR(s.v, expected, 1e-9 * std::abs(expected)) << "n = " << n;
    }
    EXPECT_NEAR(s.v, -66.0, 1e-6);
}

TEST(LifDtb, SingleExcitatoryEventGivesExponentialConductanceTraces)
{
    const auto p = default_params();
    const double g[4] = {0, 0, 0, 0}; // keep V passive: only the traces matter
    const double w = 0.7;
    LifDtbState s;
    s.v = -70.0;
    lif_dtb_step(p, g, s, w, 0, 0);
    const double tau[4] = {2.0, 40.0, 20.0, 50.0};
    for (int k = 1; k <= 2000; ++k) {
        lif_dtb_step(p, g, s, 0, 0, 0);
        const double t = k * dt;
        ASSERT_NEAR(s.j[ampa], w * std::exp(-t / tau[ampa]), 1e-12) << "t = " << t;
        ASSERT_NEAR(s.j[nmda], w * std::exp(-t / tau[nmda]), 1e-12);
        ASSERT_EQ(s.j[gaba_a], 0.0);
        ASSERT_EQ(s.j[gaba_b], 0.0);
    }
}

TEST(LifDtb, ConductanceCurrentDrivesTowardsTheReversalPotential)
{
    // With a constant AMPA trace J and conductance g the fixed point is the
    // weighted mean of V_L and V_AMPA.
    const auto p = default_params();
    const double g[4] = {0.01, 0, 0, 0};
    LifDtbState s;
    s.v = -70.0;
    // The step decays J before using it, so the effective trace is J e^{-dt/tau}.
    const double j = 0.5 * p.decay[ampa];
    for (int n = 0; n < 200000; ++n) {
        s.j[ampa] = 0.5; // held constant by hand
        lif_dtb_step(p, g, s, 0, 0, 0);
    }
    const double expected = (p.g_L * p.V_L + 0.01 * j * 0.0) / (p.g_L + 0.01 * j);
    ASSERT_LT(expected, p.V_th);
    EXPECT_NEAR(s.v, expected, 1e-6);
}

TEST(LifDtb, InhibitoryProjectionFillsGabaChannels)
{
    const auto model = test::model_from_yaml(R"(
populations:
  - {name: S, size: 1, iaf_psc_exp: {I_e: 1.0e6, t_ref: 10000}}
  - {name: T, size: 1, lif_dtb: {g_gamma_shape: 0}}
projections:
  - {source: S, target: T, rule: fixed_indegree, indegree: 1, weight: 0.25, delay_ms: 1.0, receptor: inhibitory}
)");
    Network net = build_network(model, "test.yaml");
    Simulation simulation(net);
    simulation.advance(11, nullptr); // spike in step 0, arrives in step 10
    const auto j = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.state.j);
    const std::uint64_t target = net.populations[1].local_offset;
    EXPECT_NEAR(j(target, gaba_a), 0.25, 1e-9);
    EXPECT_NEAR(j(target, gaba_b), 0.25, 1e-9);
    EXPECT_EQ(j(target, ampa), 0.0);
    EXPECT_EQ(j(target, nmda), 0.0);
}

TEST(LifDtb, OuCurrentHasTheoreticalMeanVarianceAndCorrelation)
{
    const auto model = test::model_from_yaml(R"(
simulation: {seed: 11}
populations:
  - {name: E, size: 20000, lif_dtb: {V_th: 1.0e6}}
inputs:
  - {name: bg, targets: [E], kind: ou, mean: 0.66, std: 0.12, tau_ms: 10}
)");
    Network net = build_network(model, "test.yaml");
    Simulation simulation(net);
    simulation.advance(500, nullptr);
    // Copies, not mirrors: on a host backend a mirror is the view itself.
    Kokkos::View<double*, Kokkos::HostSpace> first("first", net.populations[0].ou_current.extent(0));
    Kokkos::View<double*, Kokkos::HostSpace> second("second", first.extent(0));
    Kokkos::deep_copy(first, net.populations[0].ou_current);
    simulation.advance(100, nullptr); // one correlation time later
    Kokkos::deep_copy(second, net.populations[0].ou_current);
    const double n = static_cast<double>(first.extent(0));
    double mean = 0, mean2 = 0;
    for (std::size_t i = 0; i < first.extent(0); ++i)
        mean += second(i) / n;
    double var = 0, cov = 0, var1 = 0;
    for (std::size_t i = 0; i < first.extent(0); ++i) {
        mean2 += first(i) / n;
    }
    for (std::size_t i = 0; i < first.extent(0); ++i) {
        var += (second(i) - mean) * (second(i) - mean) / n;
        var1 += (first(i) - mean2) * (first(i) - mean2) / n;
        cov += (first(i) - mean2) * (second(i) - mean) / n;
    }
    const double sigma = 0.12;
    EXPECT_NEAR(mean, 0.66, 5 * sigma / std::sqrt(n));
    EXPECT_NEAR(var, sigma * sigma, 5 * sigma * sigma * std::sqrt(2.0 / n));
    EXPECT_NEAR(cov / std::sqrt(var * var1), std::exp(-1.0), 5.0 / std::sqrt(n));
}

TEST(LifDtb, ConductanceHeterogeneityIsGammaFiveFive)
{
    const auto model = test::model_from_yaml("populations: [{name: E, size: 20000, lif_dtb: {}}]");
    Network net = build_network(model, "test.yaml");
    auto g = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.populations[0].lif_conductances);
    const auto& p = net.populations[0].lif;
    const double n = static_cast<double>(g.extent(0));
    for (int u = 0; u < num_lif_dtb_channels; ++u) {
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < g.extent(0); ++i)
            mean += g(i, u) / p.g_population[u] / n;
        for (std::size_t i = 0; i < g.extent(0); ++i) {
            const double d = g(i, u) / p.g_population[u] - mean;
            var += d * d / n;
        }
        // Gamma(5, 5): mean 1, variance 0.2; SE of the variance from the
        // fourth central moment (6/k + 3) sigma^4 for a gamma.
        EXPECT_NEAR(mean, 1.0, 5 * std::sqrt(0.2 / n)) << "channel " << u;
        EXPECT_NEAR(var, 0.2, 5 * std::sqrt((6.0 / 5.0 + 2.0) * 0.04 / n)) << "channel " << u;
    }
}

} // namespace
} // namespace dtb::sim
