#pragma once
// How the time loop sees a neuron model: its parameter type, which
// populations use it, and one step of one neuron read from and written back to
// the network's structure-of-arrays state. One update kernel per model serves
// every population of that model (sim/simulation_kernels.hpp); a new model is
// its step function (sim/neuron_<model>.hpp), a trait here, its parameters
// from the model file (sim/neuron_params_from_spec) and its state arrays.
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "sim/network.hpp"

namespace dtb::sim {

struct IafPscExpModel {
    using Params = IafPscExpParams;
    static constexpr NeuronModel kind = NeuronModel::iaf_psc_exp;
    static const Params& params_of(const NetworkPopulation& pop) { return pop.iaf; }

    KOKKOS_INLINE_FUNCTION static bool step(const Params& p, const NeuronState& state, std::uint64_t local,
        double arriving_ex, double arriving_in, double input_current)
    {
        IafPscExpState s;
        s.v = state.v(local);
        s.i_ex = state.i_ex(local);
        s.i_in = state.i_in(local);
        s.refractory = state.refractory(local);
        const bool spiked = iaf_psc_exp_step(p, s, arriving_ex, arriving_in, input_current);
        state.v(local) = s.v;
        state.i_ex(local) = s.i_ex;
        state.i_in(local) = s.i_in;
        state.refractory(local) = s.refractory;
        return spiked;
    }
};

struct LifDtbModel {
    using Params = LifDtbParams;
    static constexpr NeuronModel kind = NeuronModel::lif_dtb;
    static const Params& params_of(const NetworkPopulation& pop) { return pop.lif; }

    KOKKOS_INLINE_FUNCTION static bool step(const Params& p, const NeuronState& state, std::uint64_t local,
        double arriving_ex, double arriving_in, double input_current)
    {
        LifDtbState s;
        double g[num_lif_dtb_channels];
        s.v = state.v(local);
        s.refractory = state.refractory(local);
        for (int u = 0; u < num_lif_dtb_channels; ++u) {
            s.j[u] = state.j(local, u);
            g[u] = state.conductances(local, u);
        }
        const bool spiked = lif_dtb_step(p, g, s, arriving_ex, arriving_in, input_current);
        state.v(local) = s.v;
        state.refractory(local) = s.refractory;
        for (int u = 0; u < num_lif_dtb_channels; ++u)
            state.j(local, u) = s.j[u];
        return spiked;
    }
};

} // namespace dtb::sim
