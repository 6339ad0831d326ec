#!/usr/bin/env bash
# Installs the Debian 12 packages dtb builds and tests against (design.md,
# "Dependencies"). Checks each package first and installs only the missing
# ones in a single apt-get call, so a second run is a fast no-op.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
    build-essential cmake pkg-config
    libtrilinos-kokkos-dev
    libopenmpi-dev openmpi-bin
    libhdf5-dev librandom123-dev
    libprotobuf-dev protobuf-compiler
    libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libgrpc++-dev protobuf-compiler-grpc libsqlite3-dev
    libnifti2-dev mricron-data libeigen3-dev sqlite3
    python3 python3-h5py python3-numpy python3-matplotlib
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "${package}" 2>/dev/null || true)
    if [[ "${status}" != "install ok installed" ]]; then
        missing+=("${package}")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install_dependencies: all ${#packages[@]} packages present"
    exit 0
fi

echo "install_dependencies: installing ${missing[*]}"
as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install_dependencies: not root and sudo is missing; install as root: ${missing[*]}" >&2
        exit 1
    fi
    as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
