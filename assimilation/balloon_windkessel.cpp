#include "assimilation/balloon_windkessel.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace dtb::assimilation {

BalloonWindkessel::BalloonWindkessel(std::size_t num_voxels, BalloonConstants constants)
    : constants_(constants)
    , states_("balloon_states", num_voxels)
{
    reset();
}

void BalloonWindkessel::reset()
{
    Kokkos::deep_copy(states_, BalloonState{});
}

void BalloonWindkessel::advance(const InputView& input)
{
    if (input.extent(1) != states_.extent(0))
        throw std::invalid_argument("BalloonWindkessel::advance: input has " + std::to_string(input.extent(1))
            + " voxels, expected " + std::to_string(states_.extent(0)));
    const auto states = states_;
    const BalloonConstants c = constants_;
    const std::size_t num_steps = input.extent(0);
    Kokkos::parallel_for("dtb::balloon_windkessel", Kokkos::RangePolicy<ExecutionSpace>(0, states.extent(0)),
        KOKKOS_LAMBDA(const std::size_t voxel) {
            BalloonState x = states(voxel);
            for (std::size_t step = 0; step < num_steps; ++step)
                balloon_step(c, x, input(step, voxel));
            states(voxel) = x;
        });
    Kokkos::fence();
}

void BalloonWindkessel::advance(const std::vector<double>& input_host)
{
    const std::size_t v = num_voxels();
    if (v == 0 || input_host.size() % v != 0)
        throw std::invalid_argument("BalloonWindkessel::advance: input size is not a multiple of the voxel count");
    InputView input("balloon_input", input_host.size() / v, v);
    auto mirror = Kokkos::create_mirror_view(input);
    for (std::size_t i = 0; i < input_host.size(); ++i)
        mirror.data()[i] = input_host[i];
    Kokkos::deep_copy(input, mirror);
    advance(input);
}

std::vector<BalloonState> BalloonWindkessel::states() const
{
    auto mirror = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), states_);
    return std::vector<BalloonState>(mirror.data(), mirror.data() + mirror.extent(0));
}

void BalloonWindkessel::set_states(const std::vector<BalloonState>& states)
{
    if (states.size() != num_voxels())
        throw std::invalid_argument("BalloonWindkessel::set_states: wrong number of voxels");
    auto mirror = Kokkos::create_mirror_view(states_);
    for (std::size_t i = 0; i < states.size(); ++i)
        mirror(i) = states[i];
    Kokkos::deep_copy(states_, mirror);
}

std::vector<double> BalloonWindkessel::bold() const
{
    std::vector<double> out;
    for (const auto& x : states())
        out.push_back(balloon_bold(constants_, x));
    return out;
}

} // namespace dtb::assimilation
