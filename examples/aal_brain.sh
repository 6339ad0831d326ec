#!/bin/sh
# Builds a whole-brain model bundle from the AAL atlas of Debian's mricron-data
# (apt-get install mricron-data): /usr/share/mricron/templates/aal.nii.gz, 116
# regions in MNI space, with its region names from aal.nii.txt. No diffusion
# (DTI) data ships with Debian, so the long-range connectivity is the
# exponential distance rule STAND-IN (docs/brain_bundle.md); pass
# --connectivity DIR to build-brain for a measured connectome.
#
#   examples/aal_brain.sh demo  [OUT_DIR]   ~10^5 neurons, one voxel per AAL region
#   examples/aal_brain.sh bench [OUT_DIR]   ~10^6 neurons, 6 mm voxels (~6900)
#   examples/aal_brain.sh large [OUT_DIR]   ~10^7 neurons, 3 mm voxels (~56000)
#
# Then: build/bin/dtb run OUT_DIR/model.yaml --out RUN_DIR
# Environment: DTB (default build/bin/dtb), AAL (default the path above),
# RANKS (for the report's memory estimate, default 1).
set -eu

variant=${1:-demo}
dtb=${DTB:-build/bin/dtb}
atlas=${AAL:-/usr/share/mricron/templates/aal.nii.gz}
ranks=${RANKS:-1}

if [ ! -f "$atlas" ]; then
    echo "aal_brain.sh: $atlas not found; install Debian's mricron-data (apt-get install mricron-data) or set AAL" >&2
    exit 2
fi

case "$variant" in
demo)
    # 10^5 neurons are too few for 6 mm voxels (about 15 neurons each, K = 100
    # needs at least 76 per voxel), so the demo is region level.
    out=${2:-aal_brain_demo}
    exec "$dtb" build-brain --atlas "$atlas" --neurons 100000 --regions --ranks "$ranks" \
        --name aal_brain_demo --out "$out" ;;
bench)
    out=${2:-aal_brain_bench}
    exec "$dtb" build-brain --atlas "$atlas" --neurons 1000000 --voxel-mm 6 --ranks "$ranks" \
        --name aal_brain_bench --out "$out" ;;
large)
    out=${2:-aal_brain_large}
    exec "$dtb" build-brain --atlas "$atlas" --neurons 10000000 --voxel-mm 3 --ranks "$ranks" \
        --name aal_brain_large --out "$out" ;;
*)
    echo "aal_brain.sh: unknown variant '$variant'; allowed: demo, bench, large" >&2
    exit 2 ;;
esac
