#!/usr/bin/env bash
# Installs missing dependencies, builds, and runs the whole test suite through
# ctest (the single entry point for every test, MPI ones included), on every
# Kokkos backend this machine can build:
#
#  1. Serial (Debian's Kokkos 3.4): build/, the whole suite.
#  2. OpenMP, when the Kokkos release source is found (DTB_KOKKOS_SOURCE, by
#     default ../shared/third_party/kokkos-4.6.01.tar.xz): Kokkos built into
#     build/kokkos/openmp (kept for the next run), dtb into
#     build/backends/openmp, the whole suite under OMP_NUM_THREADS=2 plus the
#     spike digests compared with stage 1's build (tests/backends).
#  3. CUDA, when nvcc is found as well (PATH or /usr/local/cuda/bin): Kokkos
#     for sm_90 (DTB_CUDA_ARCH) into build/kokkos/cuda, then `dtb` and every
#     unit-test executable compiled in build/backends/cuda. Compile only:
#     nothing runs without a GPU (bench/gpu_benchmark.sh runs on one).
#
# A missing source or nvcc is reported in one line and the stage skipped.
# DTB_TEST_STAGES (default "serial openmp cuda") picks stages. Each stage's
# time is printed. Exit status: 0 when every stage that ran passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${DTB_BUILD_DIR:-build}
stages=${DTB_TEST_STAGES:-serial openmp cuda}
kokkos_source=${DTB_KOKKOS_SOURCE:-../shared/third_party/kokkos-4.6.01.tar.xz}
cuda_arch=${DTB_CUDA_ARCH:-sm_90}
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

stage_start=${SECONDS}
stage_times=()
begin_stage() {
    stage_start=${SECONDS}
    echo "=== test.sh: $1 ==="
}
end_stage() {
    stage_times+=("$1: $((SECONDS - stage_start)) s")
    echo "=== test.sh: $1 passed in $((SECONDS - stage_start)) s ==="
}
wants() { [[ " ${stages} " == *" $1 "* ]]; }

./deploy/install_dependencies.sh

if wants serial; then
    begin_stage "Serial build and ctest"
    DTB_BUILD_DIR="${build_dir}" ./deploy/build.sh
    (cd "${build_dir}" && ctest --output-on-failure -j2 --timeout 600)
    end_stage "serial"
fi

have_kokkos_source=false
if [[ -e "${kokkos_source}" ]]; then
    have_kokkos_source=true
elif wants openmp || wants cuda; then
    echo "test.sh: no Kokkos source at ${kokkos_source}: skipping the OpenMP and CUDA stages (set DTB_KOKKOS_SOURCE)"
fi

if wants openmp && ${have_kokkos_source}; then
    begin_stage "OpenMP build and ctest (OMP_NUM_THREADS=2)"
    ./deploy/build_kokkos.sh "${kokkos_source}" --backend openmp --prefix "${build_dir}/kokkos/openmp"
    reference=""
    [[ -x "${build_dir}/bin/dtb" ]] && reference="-DDTB_REFERENCE_DTB=$(cd "${build_dir}/bin" && pwd)/dtb"
    cmake -S . -B "${build_dir}/backends/openmp" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DKokkos_ROOT="$(cd "${build_dir}/kokkos/openmp" && pwd)" ${reference}
    cmake --build "${build_dir}/backends/openmp" --parallel "${jobs}"
    # MPI tests run up to 4 ranks of 2 threads on these 2 cores: idle
    # threads must sleep (passive), not spin, or the ranks starve each other.
    (cd "${build_dir}/backends/openmp" && OMP_NUM_THREADS=2 OMP_PROC_BIND=false OMP_WAIT_POLICY=passive \
        ctest --output-on-failure -j1 --timeout 900)
    end_stage "openmp"
fi

if wants cuda && ${have_kokkos_source}; then
    nvcc_path=$(command -v nvcc || true)
    [[ -z "${nvcc_path}" && -x /usr/local/cuda/bin/nvcc ]] && nvcc_path=/usr/local/cuda/bin/nvcc
    if [[ -z "${nvcc_path}" ]]; then
        echo "test.sh: nvcc not found (PATH, /usr/local/cuda/bin): skipping the CUDA compile stage"
    else
        begin_stage "CUDA (${cuda_arch}) compile of dtb and the unit tests"
        export PATH="$(dirname "${nvcc_path}"):${PATH}"
        ./deploy/build_kokkos.sh "${kokkos_source}" --backend cuda --arch "${cuda_arch}" \
            --prefix "${build_dir}/kokkos/cuda"
        cmake -S . -B "${build_dir}/backends/cuda" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
            -DKokkos_ROOT="$(cd "${build_dir}/kokkos/cuda" && pwd)" -DDTB_ENABLE_SERVICE=OFF -DDTB_ENABLE_BENCH=OFF
        cmake --build "${build_dir}/backends/cuda" --parallel "${jobs}" --target dtb dtb_unit_tests
        end_stage "cuda (compile only)"
    fi
fi

echo "test.sh: all stages passed (${stage_times[*]:-none ran})"
