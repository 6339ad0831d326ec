// iaf_psc_exp against closed-form solutions of the LIF with exponential PSCs.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/network.hpp"
#include "sim/neuron_params_from_spec.hpp"
#include "sim/network_builder.hpp"
#include "sim/simulation.hpp"
#include "sim/spike_recorder.hpp"
#include "support/model_from_yaml.hpp"

namespace dtb::sim {
namespace {

constexpr double h = 0.1, C = 250.0, tau_m = 10.0, tau_s = 2.0;

v1::IafPscExp spec(double I_e, double V_th = 1e9, double t_ref = 2.0)
{
    v1::IafPscExp s;
    s.set_c_m(C);
    s.set_tau_m(tau_m);
    s.set_t_ref(t_ref);
    s.set_e_l(-65.0);
    s.set_v_th(V_th);
    s.set_v_reset(-65.0);
    s.set_tau_syn_ex(tau_s);
    s.set_tau_syn_in(tau_s);
    s.set_i_e(I_e);
    return s;
}

double relative_error(double got, double want) { return std::abs(got - want) / std::max(std::abs(want), 1e-300); }

TEST(IafPscExp, DcStepMatchesClosedForm)
{
    const double I = 300.0; // pA
    const auto p = iaf_psc_exp_params(spec(I), h);
    IafPscExpState s;
    for (int n = 1; n <= 2000; ++n) {
        iaf_psc_exp_step(p, s, 0, 0, 0);
        const double t = n * h;
        const double expected = I * tau_m / C * (1.0 - std::exp(-t / tau_m)); // mV above E_L
        ASSERT_LE(relative_error(s.v, expected), 1e-6) << "t = " << t;
    }
}

TEST(IafPscExp, SinglePscMatchesClosedForm)
{
    const double w = 100.0; // pA
    const auto p = iaf_psc_exp_params(spec(0), h);
    IafPscExpState s;
    iaf_psc_exp_step(p, s, w, 0, 0); // arrives at the end of step 0
    for (int k = 1; k <= 1000; ++k) {
        iaf_psc_exp_step(p, s, 0, 0, 0);
        const double t = k * h;
        const double expected = w * tau_s * tau_m / (C * (tau_m - tau_s)) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
        ASSERT_LE(relative_error(s.v, expected), 1e-6) << "t = " << t;
        ASSERT_LE(relative_error(s.i_ex, w * std::exp(-t / tau_s)), 1e-9);
    }
}

TEST(IafPscExp, EqualTimeConstantsUseTheLimit)
{
    auto s_spec = spec(0);
    s_spec.set_tau_syn_ex(tau_m);
    const auto p = iaf_psc_exp_params(s_spec, h);
    IafPscExpState s;
    const double w = 50.0;
    iaf_psc_exp_step(p, s, w, 0, 0);
    for (int k = 1; k <= 500; ++k) {
        iaf_psc_exp_step(p, s, 0, 0, 0);
        const double t = k * h;
        ASSERT_LE(relative_error(s.v, w * t / C * std::exp(-t / tau_m)), 1e-6);
    }
}

TEST(IafPscExp, FiringRateMatchesFiCurve)
{
    const double theta = 15.0, t_ref = 2.0;
    for (double I : {400.0, 600.0, 1000.0, 3000.0}) {
        const auto p = iaf_psc_exp_params(spec(I, -65.0 + theta, t_ref), h);
        IafPscExpState s;
        std::vector<int> spike_steps;
        for (int n = 0; n < 200000 && spike_steps.size() < 30; ++n)
            if (iaf_psc_exp_step(p, s, 0, 0, 0))
                spike_steps.push_back(n);
        ASSERT_GE(spike_steps.size(), 3u);
        // Exact discrete ISI: refractory steps, then the first step k at which
        // V_inf (1 - e^{-k h / tau}) reaches theta.
        const double v_inf = I * tau_m / C;
        int k = 1;
        while (v_inf * (1.0 - std::exp(-k * h / tau_m)) < theta)
            ++k;
        const int expected_isi_steps = static_cast<int>(std::lround(t_ref / h)) + k;
        for (std::size_t i = 2; i < spike_steps.size(); ++i)
            ASSERT_EQ(spike_steps[i] - spike_steps[i - 1], expected_isi_steps) << "I = " << I;
        // Continuous-time f-I curve: the grid can only delay a spike by < h.
        const double isi_continuous = t_ref + tau_m * std::log(v_inf / (v_inf - theta));
        const double isi = expected_isi_steps * h;
        EXPECT_GE(isi, isi_continuous - 1e-9);
        EXPECT_LT(isi, isi_continuous + h);
    }
}

TEST(IafPscExp, RefractoryPeriodIsExact)
{
    // A current that crosses threshold within one step: the ISI is exactly
    // t_ref + one step, and V sits at V_reset throughout the refractory time.
    const double t_ref = 3.0;
    const auto p = iaf_psc_exp_params(spec(1e6, -50.0, t_ref), h);
    IafPscExpState s;
    std::vector<int> spike_steps;
    for (int n = 0; n < 1000; ++n) {
        if (iaf_psc_exp_step(p, s, 0, 0, 0))
            spike_steps.push_back(n);
        else if (!spike_steps.empty() && s.refractory > 0)
            ASSERT_EQ(s.v, p.v_reset);
    }
    ASSERT_GE(spike_steps.size(), 10u);
    for (std::size_t i = 1; i < spike_steps.size(); ++i)
        ASSERT_EQ(spike_steps[i] - spike_steps[i - 1], 31);
}

// Through the whole engine: a spike crosses a projection with a 1.5 ms delay
// and the target's membrane follows the closed-form PSP from its arrival.
TEST(IafPscExp, PscThroughTheNetworkArrivesAfterTheDelay)
{
    const auto model = test::model_from_yaml(R"(
simulation: {dt_ms: 0.1, seed: 3}
populations:
  - {name: S, size: 1, iaf_psc_exp: {I_e: 1.0e6, t_ref: 10000}}
  - {name: T, size: 1, iaf_psc_exp: {tau_syn_ex: 2.0, V_th: 1.0e6}}
projections:
  - {source: S, target: T, rule: fixed_indegree, indegree: 1, weight: 100.0, delay_ms: 1.5}
)");
    Network net = build_network(model, "test.yaml");
    Simulation simulation(net);
    const int delay_steps = 15;
    // S spikes in step 0; the PSC is added to T's current in step 15.
    simulation.advance(delay_steps + 1, nullptr);
    for (int k = 1; k <= 100; ++k) {
        simulation.advance(1, nullptr);
        auto state = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), net.populations[1].v);
        const double t = k * h;
        const double expected = 100.0 * tau_s * tau_m / (C * (tau_m - tau_s)) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
        ASSERT_LE(relative_error(state(0), expected), 1e-6) << "k = " << k;
    }
}

} // namespace
} // namespace dtb::sim
