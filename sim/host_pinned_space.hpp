#pragma once
// Host memory the device can copy to and from directly: page-locked on CUDA
// (Kokkos 4's SharedHostPinnedSpace), plain host memory elsewhere and on
// Kokkos 3.4 (Debian's, Serial only).
#include <Kokkos_Core.hpp>

namespace dtb::sim {

#if defined(KOKKOS_HAS_SHARED_HOST_PINNED_SPACE)
using HostPinnedSpace = Kokkos::SharedHostPinnedSpace;
#else
using HostPinnedSpace = Kokkos::HostSpace;
#endif

} // namespace dtb::sim
