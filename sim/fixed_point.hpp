#pragma once
// Synaptic input is accumulated in 64-bit fixed point (32 fractional bits):
// integer addition is associative, so the summed input of a neuron does not
// depend on the order in which spikes arrive — not on the thread schedule, the
// GPU's atomics, or how the network is split over ranks (design.md,
// Reproducibility). Range +-2^31 weight units, resolution 2^-32.
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdint>

namespace dtb::sim {

inline constexpr double fixed_point_one = 4294967296.0; // 2^32

inline std::int64_t to_fixed_point(double value) { return std::llround(value * fixed_point_one); }

KOKKOS_INLINE_FUNCTION double from_fixed_point(std::int64_t value)
{
    return static_cast<double>(value) * (1.0 / fixed_point_one);
}

} // namespace dtb::sim
