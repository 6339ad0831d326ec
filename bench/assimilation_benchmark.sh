#!/usr/bin/env bash
# Times `dtb assimilate` on the AAL whole-brain model: builds the region-level
# AAL bundle (Debian's mricron-data atlas, distance-rule stand-in connectome),
# simulates BOLD from it with `dtb simulate-bold` (g_AMPA of E at the model's
# 0.0016 uS), then assimilates that BOLD, g_AMPA of E per region estimated
# from the prior U[g/4, 2g]. Records time per TR, per member and the
# real-time factors in bench/results/<date>_<host>_assimilation.{md,json}.
#
#   bench/assimilation_benchmark.sh          # 10^5 neurons per member, 8 members, 2 ranks, 2 TRs of 800 ms
#   BENCH_TRS=3 bench/assimilation_benchmark.sh
#
# Environment: DTB_BUILD_DIR (default build) holds bin/dtb; DTB_BENCH_WORK
# (default runs/bench) the run directories; AAL the atlas; BENCH_NEURONS
# (100000, per member), BENCH_MEMBERS (8), BENCH_RANKS (2), BENCH_TRS (2),
# BENCH_TR_MS (800). See bench/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi

dtb=${DTB_BUILD_DIR:-build}/bin/dtb
atlas=${AAL:-/usr/share/mricron/templates/aal.nii.gz}
neurons=${BENCH_NEURONS:-100000}
members=${BENCH_MEMBERS:-8}
ranks=${BENCH_RANKS:-2}
trs=${BENCH_TRS:-2}
tr_ms=${BENCH_TR_MS:-800}
if [[ ! -x "${dtb}" ]]; then
    echo "assimilation_benchmark: ${dtb} not found; build first (./deploy/build.sh)" >&2
    exit 2
fi
if [[ ! -f "${atlas}" ]]; then
    echo "assimilation_benchmark: ${atlas} not found; install Debian's mricron-data or set AAL" >&2
    exit 2
fi
stamp="$(date +%Y-%m-%dT%H%M%S)_$(hostname -s 2>/dev/null || hostname)"
work="${DTB_BENCH_WORK:-runs/bench}/${stamp}/assimilation_aal"
mkdir -p "${work}" bench/results
launcher=(mpirun --oversubscribe -np "${ranks}")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

seconds() { date +%s.%N; }

echo "== build-brain: AAL, ${neurons} neurons, one voxel per region"
t0=$(seconds)
"${dtb}" build-brain --atlas "${atlas}" --neurons "${neurons}" --regions --name aal_assimilation_bench \
    --out "${work}/bundle" --quiet
t1=$(seconds)

# The model's g_AMPA of E is the 2023-24 DTB value that build-brain writes.
write_config() { # $1: file, $2: extra lines
    cat >"$1" <<EOF
model: bundle/model.yaml
tr_ms: ${tr_ms}
trs: ${trs}
members: ${members}
seed: 1
$2
estimate:
  - quantity: g_ampa
    population: E
    low: 0.0004
    high: 0.0032
    truth: [0.0016]
EOF
}
write_config "${work}/truth.yaml" ""
write_config "${work}/assimilate.yaml" "bold: bold.h5
rescale: false  # simulated BOLD, on the model's scale"

echo "== simulate-bold: ${trs} TRs of ${tr_ms} ms on ${ranks} ranks"
"${launcher[@]}" "${dtb}" simulate-bold "${work}/truth.yaml" --out "${work}/bold.h5"
t2=$(seconds)

echo "== assimilate: ${members} members on ${ranks} ranks, ${trs} TRs"
"${launcher[@]}" "${dtb}" assimilate "${work}/assimilate.yaml" --out "${work}/out" >"${work}/assimilate.stdout"
t3=$(seconds)

python3 - "bench/results/${stamp}_assimilation" "${work}/out/summary.json" "${neurons}" "${load_before}" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(python3 -c "print($t1 - $t0)")" "$(python3 -c "print($t2 - $t1)")" \
    "$(python3 -c "print($t3 - $t2)")" <<'PY'
import json
import os
import platform
import sys

prefix, summary_path, neurons, load_before, load_after = sys.argv[1:6]
build_brain_s, simulate_bold_s, assimilate_process_s = (float(x) for x in sys.argv[6:9])
with open(summary_path) as f:
    s = json.load(f)
tr_s = s["tr_ms"] / 1000.0
row = {
    "case": "assimilation_aal",
    "model": "AAL regions (%d), distance-rule stand-in connectome" % s["regions"],
    "neurons_per_member": int(neurons),
    "members": s["members"],
    "ranks": s["ranks"],
    "member_groups": s["member_groups"],
    "trs": s["trs"],
    "tr_ms": s["tr_ms"],
    "time_per_tr_s": s["time_per_tr_s"],
    "time_per_tr_member_s": s["time_per_tr_member_s"],
    # Wall seconds per simulated second: of the whole ensemble, and of one
    # member on its group of ranks.
    "rtf_ensemble": s["time_per_tr_s"] / tr_s,
    "rtf_member": s["time_per_tr_member_s"] / tr_s,
    "construction_s": s["construction_s"],
    "assimilation_s": s["assimilation_s"],
    "replay_s": s["replay_s"],
    "assimilate_wall_s": s["wall_s"],
    "assimilate_process_s": assimilate_process_s,
    "simulate_bold_s": simulate_bold_s,
    "build_brain_s": build_brain_s,
    "forecast_bold_corr": s.get("forecast_bold_corr"),
    "replay_bold_corr": s.get("replay_bold_corr"),
    "param_rel_error": s.get("param_rel_error"),
    "load_average_before": load_before,
    "load_average_after": load_after,
}
meta = {"host": platform.node(), "cpus": os.cpu_count(), "machine": platform.machine(), "results": [row]}
with open(prefix + ".json", "w") as f:
    json.dump(meta, f, indent=2)
with open(prefix + ".md", "w") as f:
    f.write("# dtb assimilate on the AAL brain (%s, %d CPUs)\n\n" % (meta["host"], meta["cpus"]))
    f.write("| neurons/member | members | ranks | TRs x ms | time/TR (s) | time/TR/member (s) | RTF ensemble | "
            "RTF member | construction (s) | replay (s) | simulate-bold (s) |\n")
    f.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
    f.write("| %d | %d | %d | %d x %g | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f | %.1f |\n" % (
        row["neurons_per_member"], row["members"], row["ranks"], row["trs"], row["tr_ms"], row["time_per_tr_s"],
        row["time_per_tr_member_s"], row["rtf_ensemble"], row["rtf_member"], row["construction_s"],
        row["replay_s"], row["simulate_bold_s"]))
    f.write("\nLoad average before / after: %s / %s (a shared machine).\n" % (load_before, load_after))
print("wrote %s.md and %s.json" % (prefix, prefix))
print(open(prefix + ".md").read())
PY
