"""Exit 0 when two HDF5 files hold the same groups, datasets (values and
dtypes) and attributes. HDF5 files of identical content differ in their
bytes (they carry creation times), so results are compared through h5py."""
import sys

import h5py
import numpy


def contents(path):
    items = {}

    def visit(name, node):
        attributes = {key: numpy.asarray(value) for key, value in node.attrs.items()}
        if isinstance(node, h5py.Dataset):
            items[name] = ("dataset", numpy.asarray(node[()]), str(node.dtype), attributes)
        else:
            items[name] = ("group", None, None, attributes)

    with h5py.File(path, "r") as f:
        visit("/", f)
        f.visititems(visit)
    return items


a, b = contents(sys.argv[1]), contents(sys.argv[2])
if a.keys() != b.keys():
    sys.exit(f"different objects: {sorted(set(a) ^ set(b))}")
for name in a:
    kind_a, values_a, dtype_a, attributes_a = a[name]
    kind_b, values_b, dtype_b, attributes_b = b[name]
    if kind_a != kind_b or dtype_a != dtype_b:
        sys.exit(f"{name}: {kind_a} {dtype_a} vs {kind_b} {dtype_b}")
    if kind_a == "dataset" and not numpy.array_equal(values_a, values_b, equal_nan=values_a.dtype.kind == "f"):
        sys.exit(f"{name}: values differ")
    if attributes_a.keys() != attributes_b.keys():
        sys.exit(f"{name}: attributes {sorted(attributes_a)} vs {sorted(attributes_b)}")
    for key in attributes_a:
        if not numpy.array_equal(attributes_a[key], attributes_b[key]):
            sys.exit(f"{name}: attribute {key} differs")
print(f"same contents: {len(a)} objects")
