// Hyperparameter control on a real brain network (examples/twin): setting a
// voxel's theta sets g = theta x G for exactly that voxel's neurons and
// leaves the Gamma factors alone; I_ext goes to external_current.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <string>
#include <vector>

#include "assimilation/hyperparameter_control.hpp"
#include "sim/model_loader.hpp"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"

namespace {

using namespace dtb;

TEST(HyperparameterControl, SetsThetaPerVoxel)
{
    const std::string path = std::string(DTB_SOURCE_DIR) + "/examples/twin/model.yaml";
    const auto model = sim::load_model_file(path);
    const auto arrays = sim::load_brain_arrays(model, path);
    sim::Network network = sim::build_network(model, path);
    const auto voxels = sim::VoxelSlices::from_counts(arrays.count_e);
    assimilation::HyperparameterControl control(network, 0, voxels);
    EXPECT_DOUBLE_EQ(control.model_value(assimilation::HyperparameterKind::g_ampa), 0.004);

    std::vector<double> theta(arrays.num_voxels());
    for (std::size_t v = 0; v < theta.size(); ++v)
        theta[v] = 0.001 * double(v + 1);
    control.set(assimilation::HyperparameterKind::g_ampa, theta);
    control.set(assimilation::HyperparameterKind::i_ext, theta);
    const auto& pop = network.populations[0];
    auto g = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pop.lif_conductances);
    auto factors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pop.lif_gamma_factors);
    auto current = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pop.external_current);
    for (std::uint64_t i = 0; i < pop.slice_size(); ++i) {
        const std::size_t v = voxels.voxel_of(i);
        EXPECT_DOUBLE_EQ(g(i, sim::ampa), theta[v] * factors(i, sim::ampa));
        EXPECT_DOUBLE_EQ(g(i, sim::gaba_a), 0.009 * factors(i, sim::gaba_a));
        EXPECT_DOUBLE_EQ(current(i), theta[v]);
    }
    EXPECT_THROW(control.set(assimilation::HyperparameterKind::g_ampa, {1.0}), std::invalid_argument);
}

} // namespace
