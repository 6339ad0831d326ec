#pragma once
// One ensemble member's network: a replica of the model built from its seed
// (so every replica has the same connectivity and Gamma factors), simulated
// by the ranks of one member group (`group`; split over them with the spike
// exchange when the group has several ranks), with its per-voxel
// hyperparameter controls, spike-fraction observer and Balloon-Windkessel
// states. Collective over `group`.
#include <mpi.h>
#include <memory>
#include <string>
#include <vector>

#include "assimilation/balloon_windkessel.hpp"
#include "assimilation/hyperparameter_control.hpp"
#include "assimilation/voxel_spike_fraction.hpp"
#include "comm/communicator.hpp"
#include "comm/spike_exchange.hpp"
#include "dtb/sim/v1/model.pb.h"
#include "sim/brain_arrays.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace dtb::assimilation {

class NetworkReplica {
public:
    /// `group_mpi` is the group's MPI communicator (used only when
    /// group.size() > 1).
    NetworkReplica(const sim::v1::Model& model, const std::string& model_path, const sim::BrainArrays& arrays,
        comm::Communicator& group, MPI_Comm group_mpi);

    void set(HyperparameterKind kind, std::size_t population, const std::vector<double>& theta);
    double model_value(HyperparameterKind kind, std::size_t population) const;

    /// Simulates `ms` milliseconds, feeding each 1 ms spike fraction of every
    /// voxel into the Balloon model. Collective over the group.
    void advance_ms(std::uint64_t ms);

    BalloonWindkessel& balloon() { return balloon_; }
    double simulation_seconds() const { return simulation_s_; }

private:
    comm::Communicator& group_;
    double dt_ms_;
    std::unique_ptr<sim::Network> network_;
    std::unique_ptr<comm::SpikeExchange> exchange_;
    std::unique_ptr<sim::Simulation> simulation_;
    std::vector<sim::VoxelSlices> voxels_;
    std::vector<std::unique_ptr<HyperparameterControl>> controls_;
    std::unique_ptr<VoxelSpikeFraction> fraction_;
    BalloonWindkessel balloon_;
    double simulation_s_ = 0;
};

} // namespace dtb::assimilation
