#!/usr/bin/env bash
# Configures (Release) and builds dtb with all cores. Executables land in
# ${DTB_BUILD_DIR:-build}/bin. Extra CMake arguments come from DTB_CMAKE_ARGS,
# e.g. DTB_CMAKE_ARGS="-DKokkos_ROOT=/opt/kokkos" ./deploy/build.sh
# CMake's own CMAKE_BUILD_PARALLEL_LEVEL, when set, limits the build jobs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${DTB_BUILD_DIR:-build}
read -r -a extra_cmake_args <<<"${DTB_CMAKE_ARGS:-}"
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}

cmake -S . -B "${build_dir}" -DCMAKE_BUILD_TYPE=Release "${extra_cmake_args[@]}"
cmake --build "${build_dir}" --parallel "${jobs}"
echo "build: executables in ${build_dir}/bin"
