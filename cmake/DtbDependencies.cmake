# Third-party packages, all from Debian (see design.md "Dependencies").

# Kokkos: Debian's libtrilinos-kokkos-dev (3.4, Serial), or any Kokkos 4 build
# with OpenMP/CUDA given through Kokkos_ROOT.
find_package(Kokkos REQUIRED)
# Debian's package points the imported target at /usr/lib/include, which does
# not exist; the headers live in /usr/include/trilinos. Keep the directories
# that exist and add the one holding Kokkos_Core.hpp.
get_target_property(_kokkos_includes Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
set(_kokkos_fixed_includes "")
foreach(_dir IN LISTS _kokkos_includes)
    if(_dir MATCHES "^\\$<" OR EXISTS "${_dir}")
        list(APPEND _kokkos_fixed_includes "${_dir}")
    endif()
endforeach()
find_path(DTB_KOKKOS_CORE_INCLUDE_DIR Kokkos_Core.hpp
    HINTS ${_kokkos_includes} PATHS /usr/include/trilinos /usr/include)
if(NOT DTB_KOKKOS_CORE_INCLUDE_DIR)
    message(FATAL_ERROR "Kokkos_Core.hpp not found; install libtrilinos-kokkos-dev or set Kokkos_ROOT")
endif()
list(APPEND _kokkos_fixed_includes "${DTB_KOKKOS_CORE_INCLUDE_DIR}")
list(REMOVE_DUPLICATES _kokkos_fixed_includes)
set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_kokkos_fixed_includes}")
message(STATUS "Kokkos ${Kokkos_VERSION} (${Kokkos_DEVICES}): headers in ${DTB_KOKKOS_CORE_INCLUDE_DIR}")

# What every target that includes Kokkos_Core.hpp links. The same kernels
# must give the same bits on every backend (docs/engine.md, "Backends"), so
# no fused multiply-add contraction: -ffp-contract=off on the host compiler
# (set for the whole project in the top-level CMakeLists.txt), --fmad=false
# for nvcc's device code.
add_library(dtb_kokkos_kernels INTERFACE)
add_library(dtb::kokkos_kernels ALIAS dtb_kokkos_kernels)
target_link_libraries(dtb_kokkos_kernels INTERFACE Kokkos::kokkos)
if(Kokkos_ENABLE_CUDA)
    target_compile_options(dtb_kokkos_kernels INTERFACE $<$<COMPILE_LANGUAGE:CXX>:--fmad=false>)
endif()

find_package(Protobuf REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_path(DTB_RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
if(DTB_ENABLE_TESTS)
    find_package(GTest REQUIRED)
endif()
