#pragma once
// Balloon-Windkessel haemodynamics with the DTB constants (references.md
// section 4), one instance per voxel, integrated by forward Euler at 1 ms
// from the voxel's spike fraction u (spikes per neuron per 1 ms step):
//   ds/dt = eps u - kappa s - gamma (f - 1)
//   df/dt = s
//   tau dv/dt = f - v^{1/alpha}
//   tau dq/dt = f (1 - (1 - rho)^{1/f}) / rho - q v^{1/alpha - 1}
//   y = V0 [k1 (1 - q) + k2 (1 - q/v) + k3 (1 - v)],  k1 = 7 rho, k2 = 2, k3 = 2 rho - 0.2
// Time in seconds (kappa, gamma in 1/s, tau in s); dt = 1 ms = 0.001 s.
// After every step f, v and q are floored at 1e-5 (as the DTB does, so the
// powers stay defined); s is not floored. Rest state: s = 0, f = v = q = 1.
#include <Kokkos_Core.hpp>
#include <vector>

#include "sim/kokkos_math.hpp"

namespace dtb::assimilation {

struct BalloonConstants {
    double epsilon = 200;
    double kappa = 1.25; // 1/s
    double gamma = 2.5;  // 1/s
    double tau = 1;      // s
    double alpha = 0.2;
    double rho = 0.8;
    double V0 = 0.02;
    double dt_s = 0.001; // one Euler step = 1 ms
    double floor = 1e-5;
};

struct BalloonState {
    double s = 0;
    double f = 1;
    double v = 1;
    double q = 1;
};

/// One Euler step of one voxel with input u.
KOKKOS_INLINE_FUNCTION void balloon_step(const BalloonConstants& c, BalloonState& x, double u)
{
    namespace m = dtb::sim::math;
    const double ds = c.epsilon * u - c.kappa * x.s - c.gamma * (x.f - 1);
    const double df = x.s;
    const double dv = (x.f - m::pow(x.v, 1 / c.alpha)) / c.tau;
    const double dq = (x.f * (1 - m::pow(1 - c.rho, 1 / x.f)) / c.rho - x.q * m::pow(x.v, 1 / c.alpha - 1)) / c.tau;
    x.s += c.dt_s * ds;
    x.f += c.dt_s * df;
    x.v += c.dt_s * dv;
    x.q += c.dt_s * dq;
    x.f = x.f < c.floor ? c.floor : x.f;
    x.v = x.v < c.floor ? c.floor : x.v;
    x.q = x.q < c.floor ? c.floor : x.q;
}

/// BOLD signal of one voxel.
KOKKOS_INLINE_FUNCTION double balloon_bold(const BalloonConstants& c, const BalloonState& x)
{
    const double k1 = 7 * c.rho, k2 = 2, k3 = 2 * c.rho - 0.2;
    return c.V0 * (k1 * (1 - x.q) + k2 * (1 - x.q / x.v) + k3 * (1 - x.v));
}

/// The Balloon states of V voxels on the device.
class BalloonWindkessel {
public:
    using ExecutionSpace = Kokkos::DefaultExecutionSpace;
    using MemorySpace = ExecutionSpace::memory_space;
    using StateView = Kokkos::View<BalloonState*, MemorySpace>;
    /// Input of a window: (1 ms step, voxel) spike fractions.
    using InputView = Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace>;

    explicit BalloonWindkessel(std::size_t num_voxels, BalloonConstants constants = {});

    std::size_t num_voxels() const { return states_.extent(0); }
    const BalloonConstants& constants() const { return constants_; }

    /// Integrates every voxel over input.extent(0) steps of 1 ms (one kernel
    /// over voxels, each looping over the steps).
    void advance(const InputView& input);
    /// Host convenience: input[step * V + voxel].
    void advance(const std::vector<double>& input_host);

    /// BOLD of every voxel now (host copy).
    std::vector<double> bold() const;
    std::vector<BalloonState> states() const;
    void set_states(const std::vector<BalloonState>& states);
    /// Back to rest (s = 0, f = v = q = 1).
    void reset();

private:
    BalloonConstants constants_;
    StateView states_;
};

} // namespace dtb::assimilation
