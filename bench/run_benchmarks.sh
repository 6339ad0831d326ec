#!/usr/bin/env bash
# Runs the dtb benchmark cases, collects each run's summary.json and writes a
# table (markdown and JSON) to bench/results/<date>_<host>.{md,json}.
#
#   bench/run_benchmarks.sh                  # all cases
#   bench/run_benchmarks.sh dtb_block_1e5    # only the named case(s)
#   bench/run_benchmarks.sh --list           # list the cases
#   DTB_BENCH_SCALE=0.01 bench/run_benchmarks.sh   # quick check: every scale x 0.01
#
# Environment: DTB_BUILD_DIR (default build) holds bin/dtb; DTB_BENCH_SCALE
# multiplies each case's --scale; DTB_BENCH_WORK (default runs/bench) holds
# the run directories. See bench/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# name | model file | scale | MPI ranks | extra arguments
cases=(
    "microcircuit|examples/microcircuit.yaml|1|1|--warmup-ms 500 --t-stop 1000 --no-spikes"
    "microcircuit_2r|examples/microcircuit.yaml|1|2|--warmup-ms 500 --t-stop 1000 --no-spikes"
    # The DTB block's per-neuron OU noise makes it slow per simulated second
    # on a CPU; short runs measure the same real-time factor.
    "dtb_block_1e5|examples/dtb_block.yaml|50|1|--t-stop 200 --no-spikes"
    "dtb_block_1e6|examples/dtb_block.yaml|500|1|--t-stop 50 --no-spikes"
    "dtb_block_1e6_2r|examples/dtb_block.yaml|500|2|--t-stop 50 --no-spikes"
    "microcircuit_reduced_1r|examples/microcircuit.yaml|0.25|1|--warmup-ms 200 --t-stop 500 --no-spikes"
    "microcircuit_reduced_2r|examples/microcircuit.yaml|0.25|2|--warmup-ms 200 --t-stop 500 --no-spikes"
    "microcircuit_reduced_4r|examples/microcircuit.yaml|0.25|4|--warmup-ms 200 --t-stop 500 --no-spikes"
)

case_names() {
    local entry
    for entry in "${cases[@]}"; do echo "${entry%%|*}"; done
}

if [[ "${1:-}" == "--list" ]]; then
    case_names
    exit 0
fi
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi

selected=("$@")
for name in "${selected[@]}"; do
    if ! case_names | grep -qx -- "${name}"; then
        echo "run_benchmarks: unknown case '${name}'; cases: $(case_names | tr '\n' ' ')" >&2
        exit 2
    fi
done

dtb=${DTB_BUILD_DIR:-build}/bin/dtb
if [[ ! -x "${dtb}" ]]; then
    echo "run_benchmarks: ${dtb} not found; build first (./deploy/build.sh)" >&2
    exit 2
fi
scale_factor=${DTB_BENCH_SCALE:-1}
work_dir=${DTB_BENCH_WORK:-runs/bench}
stamp="$(date +%Y-%m-%dT%H%M%S)_$(hostname -s 2>/dev/null || hostname)"
mkdir -p bench/results "${work_dir}"

summaries=()
failed=0
for entry in "${cases[@]}"; do
    IFS='|' read -r name model scale ranks extra <<<"${entry}"
    if [[ ${#selected[@]} -gt 0 ]] && ! printf '%s\n' "${selected[@]}" | grep -qx -- "${name}"; then
        continue
    fi
    run_scale=$(python3 -c "import sys; print(repr(float(sys.argv[1]) * float(sys.argv[2])))" \
        "${scale}" "${scale_factor}")
    out="${work_dir}/${stamp}/${name}"
    read -r -a extra_args <<<"${extra}"
    launcher=()
    if [[ "${ranks}" -gt 1 ]]; then
        # More ranks than cores are oversubscribed: timings then show overheads, not speed-up.
        launcher=(mpirun --oversubscribe -np "${ranks}")
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    echo "== ${name}: ${launcher[*]} ${dtb} run ${model} --scale ${run_scale} ${extra} --out ${out}"
    # dtb prints its summary on stdout (kept in ${out}.stdout); progress stays on the terminal.
    mkdir -p "$(dirname "${out}")"
    if "${launcher[@]}" "${dtb}" run "${model}" --scale "${run_scale}" "${extra_args[@]}" --out "${out}" >"${out}.stdout"; then
        summaries+=("${name}|${model}|${run_scale}|${out}/summary.json")
    else
        rc=$?
        echo "run_benchmarks: ${name} failed with exit status ${rc}" >&2
        summaries+=("${name}|${model}|${run_scale}|FAILED:${rc}")
        failed=1
    fi
done

python3 - "bench/results/${stamp}" "${summaries[@]}" <<'PY'
import json
import os
import platform
import sys

prefix, entries = sys.argv[1], sys.argv[2:]
columns = ["model", "scale", "ranks", "neurons", "synapses", "build_s", "sim_s", "rtf",
           "bytes_per_synapse", "peak_rss_bytes", "update_s", "route_s", "mpi_s", "deliver_s",
           "bytes_per_interval", "messages_per_interval"]
rows = []
for entry in entries:
    name, model, scale, summary_path = entry.split("|", 3)
    row = {"case": name, "model": model, "scale": float(scale)}
    if summary_path.startswith("FAILED:"):
        row["status"] = "failed (exit %s)" % summary_path.split(":", 1)[1]
    else:
        with open(summary_path) as f:
            summary = json.load(f)
        row["status"] = "ok"
        for key in columns[2:] + ["backend"]:
            row[key] = summary.get(key)
        # Time split: the slowest rank of each phase (per_rank has every rank's).
        per_rank = summary.get("per_rank", [])
        for key in ["update_s", "route_s", "mpi_s", "deliver_s"]:
            row[key] = max((r[key] for r in per_rank), default=None)
        if per_rank and summary.get("ranks", 1) > 1:
            intervals = max(r.get("intervals", 0) for r in per_rank) or 1
            row["bytes_per_interval"] = sum(r["bytes_sent"] for r in per_rank) / intervals
            row["messages_per_interval"] = sum(r["messages_sent"] for r in per_rank) / intervals
        row["per_rank"] = per_rank
    rows.append(row)


def cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.4g" % value
    return str(value)


header = ["case"] + columns + ["status"]
# bytes and messages per interval: all ranks together, averaged over every
# exchange of the run (warm-up included).
lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
for row in rows:
    lines.append("| " + " | ".join(cell(row.get(k)) for k in header) + " |")
table = "\n".join(lines)
host = platform.node()
title = "# dtb benchmarks %s\n\nhost `%s`, %s, %d CPUs\n\n" % (
    os.path.basename(prefix), host, platform.platform(), os.cpu_count() or 0)
with open(prefix + ".md", "w") as f:
    f.write(title + table + "\n")
with open(prefix + ".json", "w") as f:
    json.dump({"host": host, "platform": platform.platform(), "cpus": os.cpu_count(),
               "runs": rows}, f, indent=2)
    f.write("\n")
print(table)
print("\nwritten: %s.md %s.json" % (prefix, prefix))
PY
exit "${failed}"
