#!/usr/bin/env bash
# Writes bench/cpu_reference_digests.json: the spikes_digest of the runs in
# bench/digest_cases.txt, made with a CPU build (default build/bin/dtb,
# Serial). The GPU run must give the same digests; re-run this whenever a
# change alters spike trains on purpose (docs/engine.md says when).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dtb=${DTB_BUILD_DIR:-build}/bin/dtb
[[ -x "${dtb}" ]] || { echo "cpu_reference_digests: ${dtb} not found; build first (./deploy/build.sh)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "${work}"' EXIT

mapfile -t cases < <(grep -v '^#' bench/digest_cases.txt)
for entry in "${cases[@]}"; do
    IFS='|' read -r name model scale extra <<<"${entry}"
    read -r -a extra_args <<<"${extra}"
    echo "== ${name}"
    "${dtb}" run "${model}" --scale "${scale}" "${extra_args[@]}" --out "${work}/${name}" >/dev/null
done
/usr/bin/python3 - "${work}" bench/cpu_reference_digests.json <<'EOF'
import json, os, sys
work, out = sys.argv[1:3]
digests = {}
for name in sorted(os.listdir(work)):
    s = json.load(open(os.path.join(work, name, "summary.json")))
    digests[name] = {"spikes_digest": s["spikes_digest"], "spike_count": s["spike_count"], "backend": s["backend"]}
json.dump(digests, open(out, "w"), indent=2)
open(out, "a").write("\n")
print(json.dumps(digests, indent=2))
EOF
