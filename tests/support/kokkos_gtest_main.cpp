// GoogleTest entry point for unit tests: Kokkos is initialised once around
// the whole run (tests call free functions that launch kernels).
#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    Kokkos::ScopeGuard kokkos(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
