#include "assimilation/network_replica.hpp"
#include "sim/network_builder.hpp"

#include <chrono>
#include <cmath>

#include "comm/partition_plan.hpp"

namespace dtb::assimilation {

NetworkReplica::NetworkReplica(const sim::v1::Model& model, const std::string& model_path,
    const sim::BrainArrays& arrays, comm::Communicator& group, MPI_Comm group_mpi)
    : group_(group)
    , dt_ms_(model.simulation().dt_ms())
    , balloon_(arrays.num_voxels())
{
    sim::NeuronSlices slices;
    comm::PartitionPlan plan;
    if (group.size() > 1) {
        plan = comm::plan_partition(model, group.size(), 5.0, model_path);
        slices = plan.slices_for(group.rank());
    }
    network_ = std::make_unique<sim::Network>(sim::build_network(model, model_path, slices));
    if (group.size() > 1)
        exchange_ = std::make_unique<comm::SpikeExchange>(
            group_mpi, plan, network_->synapses.source_gids_with_synapses(), comm::ExchangeMode::direct);
    simulation_ = std::make_unique<sim::Simulation>(*network_);
    simulation_->set_router(exchange_.get());
    voxels_ = {sim::VoxelSlices::from_counts(arrays.count_e), sim::VoxelSlices::from_counts(arrays.count_i)};
    for (std::size_t p = 0; p < network_->populations.size(); ++p)
        controls_.push_back(std::make_unique<HyperparameterControl>(*network_, p, voxels_.at(p)));
    fraction_ = std::make_unique<VoxelSpikeFraction>(network_->population_ranges(), voxels_, dt_ms_);
}

void NetworkReplica::set(HyperparameterKind kind, std::size_t population, const std::vector<double>& theta)
{
    controls_.at(population)->set(kind, theta);
}

double NetworkReplica::model_value(HyperparameterKind kind, std::size_t population) const
{
    return controls_.at(population)->model_value(kind);
}

void NetworkReplica::advance_ms(std::uint64_t ms)
{
    const auto start = std::chrono::steady_clock::now();
    fraction_->start_window(simulation_->current_step(), ms);
    simulation_->advance(ms * fraction_->steps_per_ms(), fraction_.get());
    std::vector<std::uint64_t> counts = fraction_->counts();
    if (group_.size() > 1) {
        // Each rank saw its own neurons' spikes: sum the counts of the group.
        const auto all = group_.all_gather(counts);
        std::fill(counts.begin(), counts.end(), 0);
        for (std::size_t i = 0; i < all.size(); ++i)
            counts[i % counts.size()] += all[i];
    }
    balloon_.advance(fraction_->fractions(counts));
    simulation_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace dtb::assimilation
