#pragma once
// iaf_psc_exp: leaky integrate-and-fire neuron with exponentially decaying
// excitatory and inhibitory currents, integrated exactly on the time grid
// (Rotter & Diesmann 1999), step for step as NEST's model of that name:
//
//   if not refractory: V <- P22 V + P21ex I_ex + P21in I_in + P20 (I_e + I_x)
//   else:              count down the refractory period, V held at V_reset
//   I_ex <- P11ex I_ex + (arriving excitatory weights), same for I_in
//   V >= V_th         -> spike, V <- V_reset, refractory for round(t_ref/dt) steps
//
// V is stored relative to E_L. I_x is the current of dc/ou inputs, held
// constant over the step. Units: pA, pF, mV, ms.
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdint>

#include "dtb/sim/v1/model.pb.h"
#include "sim/kokkos_math.hpp"

namespace dtb::sim {

struct IafPscExpParams {
    double P22 = 0;    // membrane decay over one step
    double P11ex = 0;  // synaptic current decays over one step
    double P11in = 0;
    double P21ex = 0;  // current -> voltage propagators
    double P21in = 0;
    double P20 = 0;    // constant current -> voltage
    double E_L = 0;
    double theta = 0;   // V_th - E_L
    double v_reset = 0; // V_reset - E_L
    double I_e = 0;
    std::int32_t refractory_steps = 0;

    static IafPscExpParams from_spec(const v1::IafPscExp& spec, double dt_ms);
};

/// Voltage response at time h to a unit current starting at 1 and decaying
/// with tau_syn, for a membrane (tau_m, C_m) starting at 0. Falls back to the
/// tau_syn == tau_m limit h/C e^{-h/tau} where the general form cancels.
inline double psc_exp_propagator_21(double tau_syn, double tau_m, double C_m, double h)
{
    const double rate_difference = 1.0 / tau_syn - 1.0 / tau_m;
    if (std::abs(rate_difference * h) < 1e-10)
        return h / C_m * std::exp(-h / tau_m);
    return std::exp(-h / tau_m) * (-std::expm1(-h * rate_difference)) / (C_m * rate_difference);
}

inline IafPscExpParams IafPscExpParams::from_spec(const v1::IafPscExp& spec, double dt_ms)
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

/// State of one iaf_psc_exp neuron.
struct IafPscExpState {
    double v = 0; // relative to E_L
    double i_ex = 0;
    double i_in = 0;
    std::int32_t refractory = 0;
};

/// Advances one neuron by one step; returns true if it spiked.
KOKKOS_INLINE_FUNCTION bool iaf_psc_exp_step(const IafPscExpParams& p, IafPscExpState& s,
    double arriving_ex, double arriving_in, double input_current)
{
    if (s.refractory == 0)
        s.v = p.P22 * s.v + p.P21ex * s.i_ex + p.P21in * s.i_in + p.P20 * (p.I_e + input_current);
    else
        --s.refractory;
    s.i_ex = p.P11ex * s.i_ex + arriving_ex;
    s.i_in = p.P11in * s.i_in + arriving_in;
    if (s.v >= p.theta) {
        s.refractory = p.refractory_steps;
        s.v = p.v_reset;
        return true;
    }
    return false;
}

} // namespace dtb::sim
