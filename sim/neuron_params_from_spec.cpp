#include "sim/neuron_params_from_spec.hpp"

#include <cmath>

namespace dtb::sim {

double psc_exp_propagator_21(double tau_syn, double tau_m, double C_m, double h)
{
    const double rate_difference = 1.0 / tau_syn - 1.0 / tau_m;
    if (std::abs(rate_difference * h) < 1e-10)
        return h / C_m * std::exp(-h / tau_m);
    return std::exp(-h / tau_m) * (-std::expm1(-h * rate_difference)) / (C_m * rate_difference);
}

IafPscExpParams iaf_psc_exp_params(const v1::IafPscExp& spec, double dt_ms)
{
    IafPscExpParams p;
    const double h = dt_ms;
    p.P22 = std::exp(-h / spec.tau_m());
    p.P11ex = std::exp(-h / spec.tau_syn_ex());
    p.P11in = std::exp(-h / spec.tau_syn_in());
    p.P21ex = psc_exp_propagator_21(spec.tau_syn_ex(), spec.tau_m(), spec.c_m(), h);
    p.P21in = psc_exp_propagator_21(spec.tau_syn_in(), spec.tau_m(), spec.c_m(), h);
    p.P20 = spec.tau_m() / spec.c_m() * (-std::expm1(-h / spec.tau_m()));
    p.E_L = spec.e_l();
    p.theta = spec.v_th() - spec.e_l();
    p.v_reset = spec.v_reset() - spec.e_l();
    p.I_e = spec.i_e();
    p.refractory_steps = static_cast<std::int32_t>(std::llround(spec.t_ref() / dt_ms));
    return p;
}

LifDtbParams lif_dtb_params(const v1::LifDtb& spec, double dt_ms)
{
    LifDtbParams p;
    p.dt_over_C = dt_ms / spec.c();
    p.g_L = spec.g_l();
    p.V_L = spec.v_l();
    p.V_th = spec.v_th();
    p.V_reset = spec.v_reset();
    p.I_ext = spec.i_ext();
    const double reversal[] = {spec.v_ampa(), spec.v_nmda(), spec.v_gaba_a(), spec.v_gaba_b()};
    const double tau[] = {spec.tau_ampa(), spec.tau_nmda(), spec.tau_gaba_a(), spec.tau_gaba_b()};
    const double g[] = {spec.g_ampa(), spec.g_nmda(), spec.g_gaba_a(), spec.g_gaba_b()};
    for (int u = 0; u < num_lif_dtb_channels; ++u) {
        p.reversal[u] = reversal[u];
        p.decay[u] = std::exp(-dt_ms / tau[u]);
        p.g_population[u] = g[u];
    }
    p.refractory_steps = static_cast<std::int32_t>(std::llround(spec.t_ref() / dt_ms));
    return p;
}

} // namespace dtb::sim
