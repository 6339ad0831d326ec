#include "assimilation/hyperparameter_control.hpp"

#include <stdexcept>

namespace dtb::assimilation {

HyperparameterKind hyperparameter_kind(const std::string& name)
{
    if (name == "g_ampa")
        return HyperparameterKind::g_ampa;
    if (name == "g_gaba_a")
        return HyperparameterKind::g_gaba_a;
    if (name == "i_ext")
        return HyperparameterKind::i_ext;
    throw std::invalid_argument("unknown hyperparameter '" + name + "'; allowed: g_ampa, g_gaba_a, i_ext");
}

std::string hyperparameter_name(HyperparameterKind kind)
{
    switch (kind) {
    case HyperparameterKind::g_ampa:
        return "g_ampa";
    case HyperparameterKind::g_gaba_a:
        return "g_gaba_a";
    case HyperparameterKind::i_ext:
        return "i_ext";
    }
    return "";
}

HyperparameterControl::HyperparameterControl(
    sim::Network& network, std::size_t population, const sim::VoxelSlices& voxels)
    : population_(&network.populations.at(population))
    , num_voxels_(voxels.num_voxels())
{
    if (population_->model != sim::NeuronModel::lif_dtb)
        throw std::invalid_argument("hyperparameter control needs a lif_dtb population, got "
            + population_->range.name);
    if (voxels.begin.back() != population_->range.size)
        throw std::invalid_argument("population " + population_->range.name + " does not match the voxel table");
    const std::uint64_t n = population_->slice_size();
    Kokkos::View<std::uint32_t*, Kokkos::HostSpace> host("voxel_of_neuron", n);
    for (std::uint64_t i = 0; i < n; ++i)
        host(i) = static_cast<std::uint32_t>(voxels.voxel_of(population_->slice_begin + i));
    voxel_of_neuron_ = Kokkos::create_mirror_view_and_copy(MemorySpace(), host);
}

double HyperparameterControl::model_value(HyperparameterKind kind) const
{
    switch (kind) {
    case HyperparameterKind::g_ampa:
        return population_->lif.g_population[sim::ampa];
    case HyperparameterKind::g_gaba_a:
        return population_->lif.g_population[sim::gaba_a];
    case HyperparameterKind::i_ext:
        return 0;
    }
    return 0;
}

void HyperparameterControl::set(HyperparameterKind kind, const std::vector<double>& theta)
{
    if (theta.size() != num_voxels_)
        throw std::invalid_argument("HyperparameterControl::set: " + std::to_string(theta.size())
            + " values for " + std::to_string(num_voxels_) + " voxels");
    Kokkos::View<double*, Kokkos::HostSpace> host("theta_host", theta.size());
    for (std::size_t v = 0; v < theta.size(); ++v)
        host(v) = theta[v];
    const auto values = Kokkos::create_mirror_view_and_copy(MemorySpace(), host);
    const auto voxel_of = voxel_of_neuron_;
    const Kokkos::RangePolicy<Kokkos::DefaultExecutionSpace> policy(0, population_->slice_size());
    if (kind == HyperparameterKind::i_ext) {
        const auto current = population_->external_current;
        Kokkos::parallel_for("dtb::set_voxel_current", policy,
            KOKKOS_LAMBDA(const std::uint64_t i) { current(i) = values(voxel_of(i)); });
    } else {
        const int channel = kind == HyperparameterKind::g_ampa ? sim::ampa : sim::gaba_a;
        const auto conductances = population_->lif_conductances;
        const auto factors = population_->lif_gamma_factors;
        Kokkos::parallel_for("dtb::set_voxel_conductance", policy, KOKKOS_LAMBDA(const std::uint64_t i) {
            conductances(i, channel) = values(voxel_of(i)) * factors(i, channel);
        });
    }
    Kokkos::fence();
}

} // namespace dtb::assimilation
