#pragma once
// lif_dtb: the Digital Twin Brain neuron (references.md section 1).
//
//   C dV/dt = -g_L (V - V_L) + sum_u g_u (V_u - V) J_u + I_ext + I_x
//   dJ_u/dt = -J_u / tau_u + sum_spikes w delta(t - t_spike - d)
//
// u in {AMPA, NMDA, GABA_A, GABA_B}. An excitatory synapse adds its weight w
// to J_AMPA and J_NMDA, an inhibitory one to J_GABA_A and J_GABA_B. Per step
// (an order we choose and test; the DTB uses the same scheme):
//   J_u <- J_u e^{-dt/tau_u} + arriving w        (exact decay)
//   if refractory: count down, V held at V_reset
//   else:          V <- V + dt/C (...)           (forward Euler, as the DTB)
//   V >= V_th -> spike, V <- V_reset, refractory for round(T_ref/dt) steps
// g_u of a neuron = population g_u x its own Gamma(shape, rate) factor,
// drawn once per neuron and channel (the assimilation's hierarchy).
// I_x: current of dc/ou inputs. Units: nF, uS, mV, ms, nA.
#include <Kokkos_Core.hpp>
#include <cstdint>


namespace dtb::sim {

enum LifDtbChannel : int { ampa = 0, nmda = 1, gaba_a = 2, gaba_b = 3, num_lif_dtb_channels = 4 };

struct LifDtbParams {
    double dt_over_C = 0;
    double g_L = 0;
    double V_L = 0;
    double V_th = 0;
    double V_reset = 0;
    double I_ext = 0;
    double reversal[num_lif_dtb_channels] = {};
    double decay[num_lif_dtb_channels] = {}; // e^{-dt/tau_u}
    double g_population[num_lif_dtb_channels] = {};
    std::int32_t refractory_steps = 0;
};

struct LifDtbState {
    double v = 0;
    double j[num_lif_dtb_channels] = {};
    std::int32_t refractory = 0;
};

/// Advances one neuron by one step; `g` are the neuron's own conductances.
/// Returns true if it spiked.
KOKKOS_INLINE_FUNCTION bool lif_dtb_step(const LifDtbParams& p, const double (&g)[num_lif_dtb_channels],
    LifDtbState& s, double arriving_ex, double arriving_in, double input_current)
{
    s.j[ampa] = s.j[ampa] * p.decay[ampa] + arriving_ex;
    s.j[nmda] = s.j[nmda] * p.decay[nmda] + arriving_ex;
    s.j[gaba_a] = s.j[gaba_a] * p.decay[gaba_a] + arriving_in;
    s.j[gaba_b] = s.j[gaba_b] * p.decay[gaba_b] + arriving_in;
    if (s.refractory > 0) {
        --s.refractory;
        s.v = p.V_reset;
        return false;
    }
    double current = -p.g_L * (s.v - p.V_L) + p.I_ext + input_current;
    for (int u = 0; u < num_lif_dtb_channels; ++u)
        current += g[u] * (p.reversal[u] - s.v) * s.j[u];
    s.v += p.dt_over_C * current;
    if (s.v >= p.V_th) {
        s.v = p.V_reset;
        s.refractory = p.refractory_steps;
        return true;
    }
    return false;
}

} // namespace dtb::sim
