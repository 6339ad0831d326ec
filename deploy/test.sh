#!/usr/bin/env bash
# Installs missing dependencies, builds, and runs the whole test suite
# through ctest (the single entry point for every test, MPI ones included).
# Exit status is ctest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./deploy/install_dependencies.sh
./deploy/build.sh

build_dir=${DTB_BUILD_DIR:-build}
cd "${build_dir}"
exec ctest --output-on-failure -j2 --timeout 600
