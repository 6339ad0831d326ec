#pragma once
// A network instantiated on this process: its neurons (state, parameters,
// external drive, per population) and the synapses onto them. Built from a
// defaulted, validated model by build_network() (sim/network_builder.hpp).
// Free of protobuf: kernels include this header.
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/neuron_iaf_psc_exp.hpp"
#include "sim/neuron_lif_dtb.hpp"
#include "sim/population_range.hpp"
#include "sim/synapse_store.hpp"

namespace dtb::sim {

enum class NeuronModel { iaf_psc_exp, lif_dtb };

/// `count` Poisson generators at a rate: arrivals per step ~ Poisson(mean_per_step).
struct PoissonDrive {
    double mean_per_step = 0;
    double exp_minus_mean = 1; // e^{-mean_per_step}, precomputed for the sampler
    double weight = 0;
    std::uint32_t channel = 0; // 0 excitatory, 1 inhibitory
};

inline constexpr int max_poisson_drives_per_population = 4;

/// External input of one population (device-copyable).
struct PopulationDrive {
    int num_poisson = 0;
    PoissonDrive poisson[max_poisson_drives_per_population];
    double dc = 0;
    bool has_ou = false;
    double ou_mean = 0;
    double ou_decay = 0;      // e^{-dt/tau}
    double ou_noise = 0;      // std * sqrt(1 - e^{-2 dt/tau})
    double ou_stationary_std = 0;
};

/// State of this process's neurons as a structure of arrays, indexed by
/// local neuron index (0 .. num_local_neurons), so that GPU loads coalesce
/// and CPU loops stream. Arrays of a model no population uses, and the OU
/// arrays when no population has OU input, are empty.
struct NeuronState {
    using MemorySpace = Kokkos::DefaultExecutionSpace::memory_space;
    using Values = Kokkos::View<double*, MemorySpace>;
    using Counts = Kokkos::View<std::int32_t*, MemorySpace>;
    using ChannelValues = Kokkos::View<double* [num_lif_dtb_channels], Kokkos::LayoutLeft, MemorySpace>;

    Values v;          // membrane potential (iaf_psc_exp: relative to E_L)
    Counts refractory; // steps left in the refractory period
    Values i_ex, i_in; // iaf_psc_exp synaptic currents
    ChannelValues j;   // lif_dtb channel traces J_u
    /// lif_dtb conductances g_u of each neuron = population value theta x
    /// the neuron's heterogeneity factor G (kept in gamma_factors, so the
    /// assimilation can set a new theta per voxel without redrawing G).
    ChannelValues conductances;
    ChannelValues gamma_factors;
    Values ou_current;
    /// The second normal of the Box-Muller pair drawn at the last even step,
    /// used by the OU update of the following odd step.
    Values ou_spare_normal;
    /// Current added every step (pA or nA, the model's unit); zero unless
    /// set, e.g. by the assimilation's I_ext per voxel.
    Values external_current;
};

struct NetworkPopulation {
    using MemorySpace = NeuronState::MemorySpace;
    using Slice = Kokkos::View<double*, Kokkos::LayoutStride, MemorySpace>;
    using ChannelSlice = Kokkos::View<double**, Kokkos::LayoutStride, MemorySpace>;

    PopulationRange range;            // global ids of the whole population
    std::uint64_t slice_begin = 0;    // simulated here: population-local [slice_begin, slice_end)
    std::uint64_t slice_end = 0;
    std::uint64_t local_offset = 0;   // local index of the slice's first neuron
    NeuronModel model = NeuronModel::iaf_psc_exp;
    IafPscExpParams iaf;
    LifDtbParams lif;
    PopulationDrive drive;
    // This population's part of the network's NeuronState (views into the
    // same memory, indexed 0 .. slice_size()); empty where the model or the
    // input does not have the variable.
    Slice v;
    Slice ou_current;
    Slice external_current;
    ChannelSlice lif_conductances;
    ChannelSlice lif_gamma_factors;

    std::uint64_t slice_size() const { return slice_end - slice_begin; }
};

class Network {
public:
    double dt_ms = 0.1;
    std::uint64_t seed = 1;
    std::vector<NetworkPopulation> populations;
    NeuronState state;
    SynapseStore synapses;
    std::uint64_t num_neurons = 0;       // whole network
    std::uint64_t num_local_neurons = 0; // simulated here
    std::uint32_t min_delay_steps = 1;   // over all projections (the communication interval)
    std::uint32_t max_delay_steps = 1;

    std::vector<PopulationRange> population_ranges() const;
};

} // namespace dtb::sim
