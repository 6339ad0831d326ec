#!/usr/bin/python3
"""Independent check of a SONATA spike file's layout (references.md section 6).

Written against h5py and the SONATA spec, not against dtb's writer, so that a
file passing here is readable by other SONATA tools:

  root attributes   magic == 0x0A7A (uint32), version (2 x uint32)
  /spikes/<pop>     one group per population, nothing else under /spikes
    timestamps      float64 [n], attribute units == "ms", positive multiples of dt
    node_ids        uint64 [n], population-local (< population size)
    attr sorting    HDF5 enum over int8 {none=0, by_id=1, by_time=2};
                    by_time => timestamps non-decreasing,
                    by_id   => node_ids non-decreasing

usage: check_sonata_layout.py FILE.h5 --populations name:size,name:size [--dt 0.1]

Prints every problem found and exits 1, or prints one OK line with the spike
count per population and exits 0. Datasets are read in blocks, so files with
10^8 spikes are checked in bounded memory.
"""
import argparse
import sys

import h5py
import numpy as np

SONATA_MAGIC = 0x0A7A
SORTING_MEMBERS = {"none": 0, "by_id": 1, "by_time": 2}
BLOCK = 1 << 22
# Off-grid tolerance in units of dt: far above float64 rounding of (k * dt) / dt.
GRID_TOLERANCE = 1e-3


def parse_populations(text):
    populations = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, size = item.rpartition(":")
        if not sep or not name:
            raise argparse.ArgumentTypeError(f"population '{item}' is not name:size")
        try:
            size = int(size)
        except ValueError:
            raise argparse.ArgumentTypeError(f"population '{item}': size is not an integer")
        if size < 0 or size >= 1 << 64:
            raise argparse.ArgumentTypeError(f"population '{item}': size out of uint64 range")
        if name in populations:
            raise argparse.ArgumentTypeError(f"population '{name}' given twice")
        populations[name] = size
    return populations


def as_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return as_text(value[()])
    return value


def is_uint(dtype, bits):
    return dtype.kind == "u" and dtype.itemsize * 8 == bits


def check_root(f, problems):
    if "magic" not in f.attrs:
        problems.append("root attribute 'magic' is missing")
    else:
        dtype = f.attrs.get_id("magic").dtype
        magic = np.asarray(f.attrs["magic"])
        if not is_uint(dtype, 32):
            problems.append(f"root attribute 'magic' has type {dtype}, expected uint32")
        if magic.size != 1 or int(magic.reshape(-1)[0]) != SONATA_MAGIC:
            problems.append(f"root attribute 'magic' is {magic.reshape(-1).tolist()}, expected 0x0A7A (2682)")
    if "version" not in f.attrs:
        problems.append("root attribute 'version' is missing")
    else:
        dtype = f.attrs.get_id("version").dtype
        version = np.asarray(f.attrs["version"])
        if not is_uint(dtype, 32):
            problems.append(f"root attribute 'version' has type {dtype}, expected uint32")
        if version.shape != (2,):
            problems.append(f"root attribute 'version' has shape {version.shape}, expected (2,)")


def check_sorting(group, where, problems):
    """Returns the sorting member name, or None if the attribute is unusable."""
    if "sorting" not in group.attrs:
        problems.append(f"{where}: attribute 'sorting' is missing")
        return None
    dtype = group.attrs.get_id("sorting").dtype
    members = h5py.check_enum_dtype(dtype)
    if members is None:
        problems.append(f"{where}: attribute 'sorting' has type {dtype}, expected an HDF5 enum")
        return None
    ok = True
    if dtype.kind != "i" or dtype.itemsize != 1:
        problems.append(f"{where}: attribute 'sorting' is an enum over {dtype}, expected int8")
        ok = False
    if dict(members) != SORTING_MEMBERS:
        problems.append(f"{where}: attribute 'sorting' has members {dict(members)}, expected {SORTING_MEMBERS}")
        ok = False
    value = np.asarray(group.attrs["sorting"])
    if value.shape not in ((), (1,)):
        problems.append(f"{where}: attribute 'sorting' has shape {value.shape}, expected a scalar")
        return None
    value = int(value.reshape(-1)[0])
    names = [name for name, member in SORTING_MEMBERS.items() if member == value]
    if not names:
        problems.append(f"{where}: attribute 'sorting' has value {value}, not one of {SORTING_MEMBERS}")
        return None
    return names[0] if ok else None


def check_population(spikes, name, size, dt, problems):
    """Checks /spikes/<name>; returns its spike count (or None)."""
    where = f"/spikes/{name}"
    if name not in spikes:
        problems.append(f"{where}: group is missing")
        return None
    group = spikes[name]
    if not isinstance(group, h5py.Group):
        problems.append(f"{where}: is not a group")
        return None
    sorting = check_sorting(group, where, problems)

    datasets = {}
    for dataset_name, kind, bits, label in (("timestamps", "f", 64, "float64"), ("node_ids", "u", 64, "uint64")):
        if dataset_name not in group or not isinstance(group[dataset_name], h5py.Dataset):
            problems.append(f"{where}/{dataset_name}: dataset is missing")
            continue
        dataset = group[dataset_name]
        if dataset.dtype.kind != kind or dataset.dtype.itemsize * 8 != bits:
            problems.append(f"{where}/{dataset_name}: type {dataset.dtype}, expected {label}")
        if dataset.ndim != 1:
            problems.append(f"{where}/{dataset_name}: shape {dataset.shape}, expected 1-D")
            continue
        datasets[dataset_name] = dataset
    if "timestamps" in datasets:
        units = datasets["timestamps"].attrs.get("units")
        if units is None:
            problems.append(f"{where}/timestamps: attribute 'units' is missing")
        elif as_text(units) != "ms":
            problems.append(f"{where}/timestamps: attribute 'units' is {as_text(units)!r}, expected 'ms'")
    if len(datasets) != 2:
        return None
    timestamps, node_ids = datasets["timestamps"], datasets["node_ids"]
    count = timestamps.shape[0]
    if node_ids.shape[0] != count:
        problems.append(f"{where}: {count} timestamps but {node_ids.shape[0]} node_ids")
        return None

    # Blockwise, remembering the last value of the previous block for the
    # order checks across block boundaries.
    size_limit = np.uint64(size)
    previous_time = None
    previous_id = None
    bad_ids = bad_times = unsorted_times = unsorted_ids = 0
    first_bad_id = first_bad_time = None
    for start in range(0, count, BLOCK):
        stop = min(count, start + BLOCK)
        ts = np.asarray(timestamps[start:stop], dtype=np.float64)
        ids = np.asarray(node_ids[start:stop]).astype(np.uint64, copy=False)

        out_of_range = np.flatnonzero(ids >= size_limit)
        if out_of_range.size:
            bad_ids += out_of_range.size
            if first_bad_id is None:
                first_bad_id = (start + int(out_of_range[0]), int(ids[out_of_range[0]]))

        if dt is not None:
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                steps = ts / dt
                whole = np.rint(steps)
                off_grid = ~np.isfinite(steps) | (whole < 1) | (np.abs(steps - whole) > GRID_TOLERANCE)
        else:
            off_grid = ~np.isfinite(ts) | (ts <= 0)
        off = np.flatnonzero(off_grid)
        if off.size:
            bad_times += off.size
            if first_bad_time is None:
                first_bad_time = (start + int(off[0]), float(ts[off[0]]))

        if sorting == "by_time" and ts.size:
            joined = ts if previous_time is None else np.concatenate(([previous_time], ts))
            unsorted_times += int(np.count_nonzero(np.diff(joined) < 0))
            previous_time = ts[-1]
        if sorting == "by_id" and ids.size:
            joined = ids if previous_id is None else np.concatenate(([previous_id], ids))
            unsorted_ids += int(np.count_nonzero(joined[1:] < joined[:-1]))
            previous_id = ids[-1]

    if bad_ids:
        index, value = first_bad_id
        problems.append(f"{where}/node_ids: {bad_ids} ids not below the population size {size} "
                        f"(first: node_ids[{index}] = {value})")
    if bad_times:
        index, value = first_bad_time
        grid = f"positive multiples of dt = {dt} ms" if dt is not None else "positive finite"
        problems.append(f"{where}/timestamps: {bad_times} values are not {grid} "
                        f"(first: timestamps[{index}] = {value!r})")
    if unsorted_times:
        problems.append(f"{where}: sorting is by_time but timestamps decrease {unsorted_times} times")
    if unsorted_ids:
        problems.append(f"{where}: sorting is by_id but node_ids decrease {unsorted_ids} times")
    return count


def check_file(path, populations, dt):
    problems = []
    counts = {}
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        return [f"cannot open as HDF5: {error}"], counts
    with f:
        check_root(f, problems)
        if "spikes" not in f or not isinstance(f["spikes"], h5py.Group):
            problems.append("group /spikes is missing")
            return problems, counts
        spikes = f["spikes"]
        for name in spikes:
            if name not in populations:
                problems.append(f"/spikes/{name}: not one of the expected populations")
        for name, size in populations.items():
            count = check_population(spikes, name, size, dt, problems)
            if count is not None:
                counts[name] = count
    return problems, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--populations", type=parse_populations, required=True,
                        help="comma-separated name:size list, every population the file must hold")
    parser.add_argument("--dt", type=float, default=None,
                        help="time step in ms; timestamps must be positive multiples of it")
    args = parser.parse_args(argv)
    if args.dt is not None and not (np.isfinite(args.dt) and args.dt > 0):
        parser.error("--dt must be a positive number")

    problems, counts = check_file(args.file, args.populations, args.dt)
    if problems:
        for problem in problems:
            print(f"{args.file}: {problem}")
        return 1
    summary = ", ".join(f"{name}={count}" for name, count in counts.items()) or "no populations"
    print(f"OK {args.file}: {sum(counts.values())} spikes ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
