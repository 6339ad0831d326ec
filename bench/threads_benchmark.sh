#!/usr/bin/env bash
# Threads against ranks on the same cores, side by side in one run: the full
# microcircuit (or MODEL) on an OpenMP build as
#   - R ranks x 1 thread   (mpirun -np R, OMP_NUM_THREADS=1)
#   - 1 rank  x R threads  (OMP_NUM_THREADS=R)
# and, where a Serial build exists, R ranks of it, run one after the other.
# Prints and saves each run's rtf, build_s and per-phase times to
# bench/results/<date>_<host>_threads.{md,json}.
#
#   bench/threads_benchmark.sh [--ranks R] [--scale S] [--t-stop MS] [--warmup-ms MS] [MODEL]
#
# Environment: DTB_OPENMP_BUILD_DIR (default build/backends/openmp, made by
# deploy/test.sh or DTB_CMAKE_ARGS="-DKokkos_ROOT=..." ./deploy/build.sh),
# DTB_BUILD_DIR (default build: the Serial build), DTB_BENCH_WORK (default runs/bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ranks=2
scale=1
t_stop=1000
warmup=500
model=examples/microcircuit.yaml
while [[ $# -gt 0 ]]; do
    case "$1" in
        --ranks) ranks=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        --t-stop) t_stop=$2; shift 2 ;;
        --warmup-ms) warmup=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "threads_benchmark: unknown option $1" >&2; exit 2 ;;
        *) model=$1; shift ;;
    esac
done

openmp_dtb=${DTB_OPENMP_BUILD_DIR:-build/backends/openmp}/bin/dtb
serial_dtb=${DTB_BUILD_DIR:-build}/bin/dtb
if [[ ! -x "${openmp_dtb}" ]]; then
    echo "threads_benchmark: ${openmp_dtb} not found; build the OpenMP backend first (deploy/test.sh, README 'Backends')" >&2
    exit 2
fi
work=${DTB_BENCH_WORK:-runs/bench}/$(date +%Y-%m-%dT%H%M%S)_threads
stamp="$(date +%Y-%m-%dT%H%M%S)_$(hostname -s 2>/dev/null || hostname)_threads"
mkdir -p "${work}" bench/results
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_PROC_BIND=false
args=("${model}" --scale "${scale}" --t-stop "${t_stop}" --warmup-ms "${warmup}" --no-spikes)

run_case() { # name threads ranks dtb
    local name=$1 threads=$2 nranks=$3 dtb=$4 launcher=()
    [[ "${nranks}" -gt 1 ]] && launcher=(mpirun --oversubscribe -np "${nranks}" -x OMP_NUM_THREADS -x OMP_PROC_BIND)
    echo "== ${name}: OMP_NUM_THREADS=${threads} ${launcher[*]} ${dtb} run ${args[*]}"
    OMP_NUM_THREADS=${threads} "${launcher[@]}" "${dtb}" run "${args[@]}" --out "${work}/${name}" >"${work}/${name}.stdout"
}

run_case "openmp_${ranks}ranks_x_1thread" 1 "${ranks}" "${openmp_dtb}"
run_case "openmp_1rank_x_${ranks}threads" "${ranks}" 1 "${openmp_dtb}"
[[ -x "${serial_dtb}" ]] && run_case "serial_${ranks}ranks" 1 "${ranks}" "${serial_dtb}"

/usr/bin/python3 - "${work}" "bench/results/${stamp}" <<'EOF'
import json, os, sys
work, out = sys.argv[1], sys.argv[2]
rows = []
for name in sorted(os.listdir(work)):
    path = os.path.join(work, name, "summary.json")
    if not os.path.isfile(path):
        continue
    s = json.load(open(path))
    slow = max(s["per_rank"], key=lambda r: r["update_s"] + r["deliver_s"] + r["route_s"])
    rows.append({"case": name, "backend": s["backend"], "ranks": s["ranks"], "rtf": s["rtf"], "build_s": s["build_s"],
                 "update_s": slow["update_s"], "deliver_s": slow["deliver_s"], "route_s": slow["route_s"],
                 "kernel_launches_per_step": slow.get("kernel_launches_per_step"),
                 "host_syncs_per_step": slow.get("host_syncs_per_step"), "spikes_digest": s["spikes_digest"]})
lines = ["| case | backend | rtf | build_s | update_s | deliver_s | route_s | launches/step | syncs/step | digest |",
         "|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    lines.append(f"| {r['case']} | {r['backend']} | {r['rtf']:.2f} | {r['build_s']:.1f} | {r['update_s']:.1f} | "
                 f"{r['deliver_s']:.1f} | {r['route_s']:.1f} | {r['kernel_launches_per_step']:.2f} | "
                 f"{r['host_syncs_per_step']:.3f} | {r['spikes_digest']} |")
by = {r["case"]: r for r in rows}
threads = [r for r in rows if "threads" in r["case"]]
ranks = [r for r in rows if r["case"].startswith("openmp_") and "x_1thread" in r["case"]]
if threads and ranks:
    lines.append("")
    lines.append(f"threads / ranks RTF ratio: {threads[0]['rtf'] / ranks[0]['rtf']:.2f} (target <= 1.3)")
text = "\n".join(lines) + "\n"
print(text)
open(out + ".md", "w").write(text)
json.dump(rows, open(out + ".json", "w"), indent=2)
print("saved", out + ".md", out + ".json")
EOF
