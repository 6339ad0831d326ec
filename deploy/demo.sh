#!/usr/bin/env bash
# The demo: installs missing dependencies, builds, then
#  1. runs the main job the way a user of the service does: a local
#     dtb-server on its embedded defaults (SQLite job store and results under
#     runs/demo/server), the balanced E/I example submitted with dtbctl,
#     watched to completion, its results fetched to runs/demo/results and
#     summarised, the report drawn, the server stopped;
#  2. builds a whole-brain model from the AAL atlas of Debian's mricron-data
#     (10^5 neurons, one voxel per region, distance-rule stand-in connectome),
#     simulates 200 ms of it and draws its report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./deploy/install_dependencies.sh
./deploy/build.sh

build_dir=${DTB_BUILD_DIR:-build}
demo_dir=runs/demo
rm -rf "${demo_dir}"
mkdir -p "${demo_dir}"

"${build_dir}/bin/dtb-server" --data-dir "${demo_dir}/server" --listen 127.0.0.1:0 \
    --port-file "${demo_dir}/port" 2>"${demo_dir}/server.log" &
server_pid=$!
stop_server() {
    kill -TERM "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 100); do [[ -s "${demo_dir}/port" ]] && break; sleep 0.1; done
export DTB_SERVER="127.0.0.1:$(cat "${demo_dir}/port")"
"${build_dir}/bin/dtbctl" health --wait 10s

job=$("${build_dir}/bin/dtbctl" submit examples/brunel.yaml)
echo "demo: submitted examples/brunel.yaml as job ${job} to ${DTB_SERVER}"
"${build_dir}/bin/dtbctl" watch "${job}"
"${build_dir}/bin/dtbctl" fetch "${job}" --out "${demo_dir}/results"
echo
echo "demo: summary of job ${job}"
python3 -m json.tool "${demo_dir}/results/summary.json"
"${build_dir}/bin/dtb" report "${demo_dir}/results" --out "${demo_dir}/report"
echo
echo "demo: figures and summary table: ${demo_dir}/report/report.html"
echo "demo: server log: ${demo_dir}/server.log"
stop_server

echo
echo "demo: whole-brain model from the AAL atlas (examples/aal_brain.sh demo)"
DTB="${build_dir}/bin/dtb" examples/aal_brain.sh demo "${demo_dir}/aal_brain"
"${build_dir}/bin/dtb" run "${demo_dir}/aal_brain/model.yaml" --t-stop 200 --out "${demo_dir}/aal_run" >/dev/null
"${build_dir}/bin/dtb" report "${demo_dir}/aal_run" --out "${demo_dir}/aal_report"
echo "demo: AAL brain run: ${demo_dir}/aal_run/summary.json, report ${demo_dir}/aal_report/report.html"
echo "demo: more: ${build_dir}/bin/dtb run examples/microcircuit.yaml --scale 0.1 --out runs/microcircuit"
echo "      (the Potjans-Diesmann microcircuit; full scale without --scale: 77,169 neurons, 3.0e8 synapses)"
