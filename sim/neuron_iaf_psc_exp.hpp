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
// constant over the step. Units: pA, pF, mV, ms. The propagators come from a
// model file through sim/neuron_params_from_spec.hpp.
#include <Kokkos_Core.hpp>
#include <cstdint>

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
};

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
