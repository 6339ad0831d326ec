#!/usr/bin/env bash
# The GPU benchmark, for a machine with an NVIDIA GPU (a cluster node, or the
# project's device machine). Builds Kokkos for CUDA and dtb against it
# (unless --dtb names a CUDA build made elsewhere), then runs
#   - the full cortical microcircuit (77,169 neurons, 2.99e8 synapses),
#   - DTB blocks of 1e6 and 1e7 neurons (in-degree 100),
#   - short digest runs of the same models,
# and prints, per case: rtf, build_s, peak device memory (nvidia-smi, sampled
# every 0.2 s), the counted kernel launches and host syncs per step, and the
# spikes_digest next to the CPU digest of the same run
# (bench/cpu_reference_digests.json, made by bench/cpu_reference_digests.sh).
# Results go to bench/results/<date>_<host>_gpu.{md,json}.
#
#   bench/gpu_benchmark.sh [--arch sm_90] [--dtb PATH] [--kokkos-source TARBALL] [--quick]
#
# --quick: digest runs and a 100 ms microcircuit only (a few minutes).
# Needs the build dependencies of deploy/install_dependencies.sh (or, with
# --dtb, the libraries that executable links) and nvcc (PATH or /usr/local/cuda).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

arch=sm_90
dtb=""
kokkos_source=${DTB_KOKKOS_SOURCE:-../shared/third_party/kokkos-4.6.01.tar.xz}
quick=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --dtb) dtb=$2; shift 2 ;;
        --kokkos-source) kokkos_source=$2; shift 2 ;;
        --quick) quick=true; shift ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "gpu_benchmark: unknown argument $1" >&2; exit 2 ;;
    esac
done

command -v nvidia-smi >/dev/null 2>&1 || { echo "gpu_benchmark: nvidia-smi not found: no NVIDIA GPU here" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

if [[ -z "${dtb}" ]]; then
    command -v nvcc >/dev/null 2>&1 || export PATH=/usr/local/cuda/bin:${PATH}
    start=${SECONDS}
    ./deploy/build_kokkos.sh "${kokkos_source}" --backend cuda --arch "${arch}" --prefix build/kokkos/cuda
    cmake -S . -B build/backends/cuda -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="${PWD}/build/kokkos/cuda" \
        -DDTB_ENABLE_SERVICE=OFF -DDTB_ENABLE_TESTS=OFF -DDTB_ENABLE_BENCH=OFF >/dev/null
    cmake --build build/backends/cuda --parallel "$(nproc)" --target dtb
    echo "gpu_benchmark: built in $((SECONDS - start)) s"
    dtb=build/backends/cuda/bin/dtb
fi

work=${DTB_BENCH_WORK:-runs/bench}/$(date +%Y-%m-%dT%H%M%S)_gpu
stamp="$(date +%Y-%m-%dT%H%M%S)_$(hostname -s 2>/dev/null || hostname)_gpu"
mkdir -p "${work}" bench/results

# name | model | scale | arguments: first the digest runs of
# bench/digest_cases.txt (as bench/cpu_reference_digests.sh ran them).
mapfile -t cases < <(grep -v '^#' bench/digest_cases.txt | sed 's/^/digest_/')
if ${quick}; then
    cases+=("microcircuit_100ms|examples/microcircuit.yaml|1|--warmup-ms 100 --t-stop 100 --no-spikes")
else
    cases+=(
        "microcircuit|examples/microcircuit.yaml|1|--warmup-ms 500 --t-stop 1000 --no-spikes"
        "dtb_block_1e6|examples/dtb_block.yaml|500|--t-stop 1000 --no-spikes"
        "dtb_block_1e7|examples/dtb_block.yaml|5000|--t-stop 200 --no-spikes"
    )
fi

for entry in "${cases[@]}"; do
    IFS='|' read -r name model scale extra <<<"${entry}"
    read -r -a extra_args <<<"${extra}"
    out="${work}/${name}"
    echo "== ${name}: ${dtb} run ${model} --scale ${scale} ${extra}"
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"${out}.memory" &
    sampler=$!
    status=0
    "${dtb}" run "${model}" --scale "${scale}" "${extra_args[@]}" --out "${out}" >"${out}.stdout" 2>"${out}.stderr" || status=$?
    kill "${sampler}" 2>/dev/null || true
    wait "${sampler}" 2>/dev/null || true
    if [[ ${status} -ne 0 ]]; then
        echo "gpu_benchmark: ${name} failed (exit ${status}):" >&2
        tail -20 "${out}.stderr" >&2
    fi
done

/usr/bin/env python3 - "${work}" "bench/results/${stamp}" bench/cpu_reference_digests.json <<'EOF'
import json, os, sys
work, out, reference_path = sys.argv[1:4]
reference = json.load(open(reference_path)) if os.path.isfile(reference_path) else {}
rows = []
for name in sorted(n for n in os.listdir(work) if os.path.isdir(os.path.join(work, n))):
    path = os.path.join(work, name, "summary.json")
    row = {"case": name}
    if os.path.isfile(path):
        s = json.load(open(path))
        r0 = s["per_rank"][0]
        row.update(backend=s["backend"], neurons=s["neurons"], synapses=s["synapses"], rtf=s["rtf"],
                   build_s=s["build_s"], bytes_per_synapse=s["bytes_per_synapse"], spikes_digest=s["spikes_digest"],
                   kernel_launches_per_step=r0.get("kernel_launches_per_step"),
                   host_syncs_per_step=r0.get("host_syncs_per_step"))
    else:
        row["failed"] = True
    memory = [int(x) for x in open(os.path.join(work, name + ".memory")).read().split() if x.isdigit()]
    row["peak_device_memory_mib"] = max(memory) if memory else None
    ref = reference.get(name.replace("digest_", "", 1)) if name.startswith("digest_") else None
    row["cpu_digest"] = ref["spikes_digest"] if ref else None
    rows.append(row)
lines = ["| case | rtf | build_s | peak device MiB | launches/step | syncs/step | digest | CPU digest | same |",
         "|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    if r.get("failed"):
        lines.append(f"| {r['case']} | failed | | | | | | | |")
        continue
    same = "" if r["cpu_digest"] is None else ("yes" if r["cpu_digest"] == r["spikes_digest"] else "**NO**")
    lines.append(f"| {r['case']} | {r['rtf']:.3f} | {r['build_s']:.2f} | {r['peak_device_memory_mib']} | "
                 f"{r['kernel_launches_per_step']:.2f} | {r['host_syncs_per_step']:.3f} | {r['spikes_digest']} | "
                 f"{r['cpu_digest'] or '-'} | {same} |")
text = "\n".join(lines) + "\n"
print(text)
open(out + ".md", "w").write(text)
json.dump(rows, open(out + ".json", "w"), indent=2)
print("saved", out + ".md", out + ".json")
EOF
