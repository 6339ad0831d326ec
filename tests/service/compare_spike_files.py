"""Exit 0 when two SONATA spike files hold the same spikes (HDF5 files of
identical content differ in their bytes: they carry creation times)."""
import sys

import h5py
import numpy


def spikes(path):
    with h5py.File(path, "r") as f:
        return {name: (numpy.asarray(group["timestamps"]), numpy.asarray(group["node_ids"]))
                for name, group in f["spikes"].items()}


a, b = spikes(sys.argv[1]), spikes(sys.argv[2])
if a.keys() != b.keys():
    sys.exit(f"populations differ: {sorted(a)} vs {sorted(b)}")
for name in a:
    for label, x, y in (("timestamps", a[name][0], b[name][0]), ("node_ids", a[name][1], b[name][1])):
        if not numpy.array_equal(x, y):
            sys.exit(f"{name}/{label} differ")
print(f"same spikes in {len(a)} populations")
