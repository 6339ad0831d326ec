#pragma once
// Device-safe math functions under one name for Kokkos 3.4 (where they live
// in Kokkos::Experimental) and Kokkos >= 3.7 / 4.x (namespace Kokkos).
#include <Kokkos_Core.hpp>

namespace dtb::sim::math {

#if KOKKOS_VERSION >= 30700
using Kokkos::exp;
using Kokkos::expm1;
using Kokkos::floor;
using Kokkos::log;
using Kokkos::log1p;
using Kokkos::pow;
using Kokkos::sqrt;
using Kokkos::lgamma;
#else
using Kokkos::Experimental::exp;
using Kokkos::Experimental::expm1;
using Kokkos::Experimental::floor;
using Kokkos::Experimental::log;
using Kokkos::Experimental::log1p;
using Kokkos::Experimental::pow;
using Kokkos::Experimental::sqrt;
using Kokkos::Experimental::lgamma;
#endif

} // namespace dtb::sim::math
