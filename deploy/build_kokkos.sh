#!/usr/bin/env bash
# Builds and installs Kokkos from a release source (a directory or a .tar.xz /
# .tar.gz tarball) for dtb's threaded or GPU backend. Nothing is downloaded.
#
#   deploy/build_kokkos.sh SOURCE --backend openmp|cuda [--arch sm_90] --prefix DIR
#
# --backend openmp: Serial + OpenMP, host compiler (g++).
# --backend cuda:   Serial + OpenMP on the host + CUDA, with Kokkos' own
#                   nvcc_wrapper; --arch picks the GPU (sm_70, sm_80, sm_90 ...,
#                   default sm_90). A file `kokkos-*-cuda13.patch` next to the
#                   tarball is applied (CUDA 13 API changes, ../shared/third_party).
# Then build dtb against it: DTB_CMAKE_ARGS="-DKokkos_ROOT=DIR" ./deploy/build.sh
#
# A second call with the same source, backend and architecture finds the
# stamp in DIR and does nothing. CMAKE_BUILD_PARALLEL_LEVEL limits the jobs.
set -euo pipefail

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

source_arg=""
backend=""
arch="sm_90"
prefix=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --backend) backend=${2:-}; shift 2 ;;
        --arch) arch=${2:-}; shift 2 ;;
        --prefix) prefix=${2:-}; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "build_kokkos: unknown option '$1'" >&2; usage ;;
        *) [[ -z "${source_arg}" ]] || { echo "build_kokkos: more than one SOURCE given" >&2; usage; }
           source_arg=$1; shift ;;
    esac
done
[[ -n "${source_arg}" ]] || { echo "build_kokkos: SOURCE (Kokkos source directory or tarball) is required" >&2; usage; }
[[ -n "${prefix}" ]] || { echo "build_kokkos: --prefix DIR is required" >&2; usage; }
case "${backend}" in
    openmp|cuda) ;;
    *) echo "build_kokkos: --backend must be openmp or cuda (got '${backend}')" >&2; usage ;;
esac
# Kokkos' architecture option for each sm_XY it knows.
case "${arch}" in
    sm_70) kokkos_arch=VOLTA70 ;;
    sm_75) kokkos_arch=TURING75 ;;
    sm_80) kokkos_arch=AMPERE80 ;;
    sm_86) kokkos_arch=AMPERE86 ;;
    sm_89) kokkos_arch=ADA89 ;;
    sm_90) kokkos_arch=HOPPER90 ;;
    *) echo "build_kokkos: --arch must be one of sm_70 sm_75 sm_80 sm_86 sm_89 sm_90 (got '${arch}')" >&2; exit 2 ;;
esac
[[ -e "${source_arg}" ]] || { echo "build_kokkos: ${source_arg}: no such file or directory" >&2; exit 2; }

source_abs=$(cd "$(dirname "${source_arg}")" && pwd)/$(basename "${source_arg}")
mkdir -p "${prefix}"
prefix=$(cd "${prefix}" && pwd)
stamp_file="${prefix}/.dtb-kokkos-stamp"
stamp="source=$(basename "${source_abs}") size=$(du -sb "${source_abs}" | cut -f1) backend=${backend}"
[[ "${backend}" == cuda ]] && stamp+=" arch=${arch}"
if [[ -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp}" ]]; then
    echo "build_kokkos: ${backend} Kokkos already installed in ${prefix}"
    exit 0
fi

work=$(mktemp -d "${prefix}.work.XXXXXX")
trap 'rm -rf "${work}"' EXIT
if [[ -d "${source_abs}" ]]; then
    cp -a "${source_abs}" "${work}/src"
else
    mkdir "${work}/src"
    tar -xf "${source_abs}" -C "${work}/src" --strip-components=1
fi
if [[ "${backend}" == cuda ]]; then
    command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]] \
        || { echo "build_kokkos: nvcc not found (PATH or /usr/local/cuda/bin)" >&2; exit 1; }
    command -v nvcc >/dev/null 2>&1 || export PATH=/usr/local/cuda/bin:${PATH}
    for patch_file in "$(dirname "${source_abs}")"/kokkos-*-cuda13.patch; do
        [[ -f "${patch_file}" ]] || continue
        echo "build_kokkos: applying $(basename "${patch_file}")"
        patch -d "${work}/src" -p1 --forward --silent <"${patch_file}"
    done
fi

cmake_args=(
    -S "${work}/src" -B "${work}/build"
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX="${prefix}"
    -DCMAKE_CXX_STANDARD=17
    -DKokkos_ENABLE_SERIAL=ON
    -DKokkos_ENABLE_OPENMP=ON
    -DKokkos_ENABLE_TESTS=OFF
    -DKokkos_ENABLE_EXAMPLES=OFF
)
if [[ "${backend}" == cuda ]]; then
    cmake_args+=(
        -DKokkos_ENABLE_CUDA=ON
        -DKokkos_ENABLE_CUDA_CONSTEXPR=ON
        -DKokkos_ARCH_${kokkos_arch}=ON
        -DCMAKE_CXX_COMPILER="${work}/src/bin/nvcc_wrapper"
    )
    # nvcc_wrapper compiles for the architecture its -arch names; the CMake
    # option above adds it too, this keeps the compiler check consistent.
    export NVCC_WRAPPER_DEFAULT_ARCH=${arch}
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

echo "build_kokkos: configuring ${backend} Kokkos from ${source_abs}"
start=${SECONDS}
cmake "${cmake_args[@]}" "${generator[@]}" >"${work}/configure.log" 2>&1 \
    || { cat "${work}/configure.log" >&2; echo "build_kokkos: configure failed" >&2; exit 1; }
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
cmake --build "${work}/build" --parallel "${jobs}" >"${work}/build.log" 2>&1 \
    || { tail -50 "${work}/build.log" >&2; echo "build_kokkos: build failed" >&2; exit 1; }
rm -rf "${prefix:?}"/{include,lib,lib64,bin}
cmake --install "${work}/build" >/dev/null
echo "${stamp}" >"${stamp_file}"
echo "build_kokkos: ${backend} Kokkos installed in ${prefix} ($((SECONDS - start)) s)"
