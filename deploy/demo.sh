#!/usr/bin/env bash
# Installs missing dependencies, builds, runs the Potjans-Diesmann cortical
# microcircuit at 10 % scale for 1 s of biological time and prints the run
# summary. Output goes to runs/demo/ (spikes.h5, rates.h5, summary.json) and
# the report (figures, report.html) to runs/demo/report/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./deploy/install_dependencies.sh
./deploy/build.sh

build_dir=${DTB_BUILD_DIR:-build}
out_dir=runs/demo
# The summary is printed below; dtb's own copy on stdout is not needed.
"${build_dir}/bin/dtb" run examples/microcircuit.yaml --scale 0.1 --t-stop 1000 --out "${out_dir}" >/dev/null
"${build_dir}/bin/dtb" report "${out_dir}" --out "${out_dir}/report"

echo
echo "demo: ${out_dir}/summary.json"
python3 -m json.tool "${out_dir}/summary.json"
echo
echo "demo: at scale 0.1 each neuron has 10 % of the full model's recurrent inputs but"
echo "the same external drive, so rates are higher than the full-scale model's"
echo "(0.9-8.6 Hz). Full scale (77,169 neurons, 3.0e8 synapses, ~3 GB):"
echo "  ${build_dir}/bin/dtb run examples/microcircuit.yaml --out runs/microcircuit"
echo
echo "demo: figures and summary table: ${out_dir}/report/report.html"
