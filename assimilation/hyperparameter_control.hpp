#pragma once
// Sets the HMDA hyperparameters of a network per voxel: the population
// conductance theta of a channel (every neuron's g = theta_voxel x its own
// Gamma factor G, so only theta changes, never the heterogeneity) or the
// external current I_ext added to each neuron of the voxel every step.
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/network.hpp"
#include "sim/voxel_connection_rules.hpp"

namespace dtb::assimilation {

enum class HyperparameterKind { g_ampa, g_gaba_a, i_ext };

/// "g_ampa", "g_gaba_a", "i_ext" -> kind; throws std::invalid_argument otherwise.
HyperparameterKind hyperparameter_kind(const std::string& name);
std::string hyperparameter_name(HyperparameterKind kind);

/// Per-voxel control of one population of a network (this process's slice).
class HyperparameterControl {
public:
    using MemorySpace = sim::NetworkPopulation::MemorySpace;

    /// `population` must be a lif_dtb population of `network`; `voxels` its
    /// voxel split. The network must outlive the control.
    HyperparameterControl(sim::Network& network, std::size_t population, const sim::VoxelSlices& voxels);

    /// Sets `kind` to theta[v] for every neuron of voxel v (theta has one
    /// entry per voxel; conductances in uS, currents in the model's unit).
    void set(HyperparameterKind kind, const std::vector<double>& theta);
    /// The model's own population value of `kind` (I_ext: 0, the extra current).
    double model_value(HyperparameterKind kind) const;

private:
    sim::NetworkPopulation* population_;
    std::size_t num_voxels_;
    Kokkos::View<std::uint32_t*, MemorySpace> voxel_of_neuron_; // per neuron of the slice
};

} // namespace dtb::assimilation
