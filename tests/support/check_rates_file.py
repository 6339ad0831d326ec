#!/usr/bin/python3
"""Independent check of a binned population rates file (rates.h5).

Layout (sim/population_rate_writer.hpp):

  /rates                group; attributes bin_ms (float64 > 0), t_start_ms (float64 == 0)
  /rates/<population>   float64 [bins], Hz, finite and >= 0, one per population and
                        nothing else; attribute size (uint64) == the population size;
                        optional attribute units, "Hz" when present
  every population has the same number of bins

usage: check_rates_file.py FILE.h5 --populations name:size,... [--bin-ms 1.0] [--bins N]
                           [--print-values]

Prints every problem found and exits 1, or prints one OK line and exits 0.
--print-values also prints "name: v0 v1 ..." per population (Python's repr of
each float, which round-trips exactly) so that tests can compare values.
"""
import argparse
import sys

import h5py
import numpy as np


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


def scalar_float64_attribute(attrs, name, where, problems):
    if name not in attrs:
        problems.append(f"{where}: attribute '{name}' is missing")
        return None
    dtype = attrs.get_id(name).dtype
    value = np.asarray(attrs[name])
    if dtype.kind != "f" or dtype.itemsize != 8:
        problems.append(f"{where}: attribute '{name}' has type {dtype}, expected float64")
    if value.shape not in ((), (1,)):
        problems.append(f"{where}: attribute '{name}' has shape {value.shape}, expected a scalar")
        return None
    return float(value.reshape(-1)[0])


def check_file(path, populations, bin_ms, bins, values_out):
    problems = []
    lengths = {}
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        return [f"cannot open as HDF5: {error}"], lengths
    with f:
        if "rates" not in f or not isinstance(f["rates"], h5py.Group):
            return ["group /rates is missing"], lengths
        rates = f["rates"]
        file_bin_ms = scalar_float64_attribute(rates.attrs, "bin_ms", "/rates", problems)
        if file_bin_ms is not None:
            if not (np.isfinite(file_bin_ms) and file_bin_ms > 0):
                problems.append(f"/rates: bin_ms = {file_bin_ms!r}, expected a positive number")
            elif bin_ms is not None and file_bin_ms != bin_ms:
                problems.append(f"/rates: bin_ms = {file_bin_ms!r}, expected {bin_ms!r}")
        t_start = scalar_float64_attribute(rates.attrs, "t_start_ms", "/rates", problems)
        if t_start is not None and t_start != 0.0:
            problems.append(f"/rates: t_start_ms = {t_start!r}, expected 0")

        for name in rates:
            if name not in populations:
                problems.append(f"/rates/{name}: not one of the expected populations")
        for name, size in populations.items():
            where = f"/rates/{name}"
            if name not in rates or not isinstance(rates[name], h5py.Dataset):
                problems.append(f"{where}: dataset is missing")
                continue
            dataset = rates[name]
            if dataset.dtype.kind != "f" or dataset.dtype.itemsize != 8:
                problems.append(f"{where}: type {dataset.dtype}, expected float64")
            if dataset.ndim != 1:
                problems.append(f"{where}: shape {dataset.shape}, expected 1-D")
                continue
            if "size" not in dataset.attrs:
                problems.append(f"{where}: attribute 'size' is missing")
            else:
                dtype = dataset.attrs.get_id("size").dtype
                value = np.asarray(dataset.attrs["size"])
                if dtype.kind != "u" or dtype.itemsize != 8:
                    problems.append(f"{where}: attribute 'size' has type {dtype}, expected uint64")
                if value.size != 1 or int(value.reshape(-1)[0]) != size:
                    problems.append(f"{where}: attribute 'size' is {value!r}, expected {size}")
            if "units" in dataset.attrs:
                units = dataset.attrs["units"]
                units = units.decode("utf-8", "replace") if isinstance(units, bytes) else units
                if units != "Hz":
                    problems.append(f"{where}: attribute 'units' is {units!r}, expected 'Hz'")
            values = np.asarray(dataset[...], dtype=np.float64)
            bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
            if bad.size:
                problems.append(f"{where}: {bad.size} rates are not finite and >= 0 "
                                f"(first: [{int(bad[0])}] = {values[bad[0]]!r})")
            lengths[name] = values.shape[0]
            values_out[name] = values

    distinct = sorted(set(lengths.values()))
    if len(distinct) > 1:
        problems.append(f"populations differ in their number of bins: {lengths}")
    if bins is not None:
        for name, length in lengths.items():
            if length != bins:
                problems.append(f"/rates/{name}: {length} bins, expected {bins}")
    return problems, lengths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--populations", type=parse_populations, required=True,
                        help="comma-separated name:size list, every population the file must hold")
    parser.add_argument("--bin-ms", type=float, default=None, help="expected bin width in ms")
    parser.add_argument("--bins", type=int, default=None, help="expected number of bins")
    parser.add_argument("--print-values", action="store_true",
                        help="print each population's rates (exact float repr) after the checks")
    args = parser.parse_args(argv)

    values = {}
    problems, lengths = check_file(args.file, args.populations, args.bin_ms, args.bins, values)
    if problems:
        for problem in problems:
            print(f"{args.file}: {problem}")
        return 1
    if args.print_values:
        for name, series in values.items():
            print(" ".join([f"{name}:"] + [repr(float(v)) for v in series]))
    bins = next(iter(lengths.values()), 0)
    print(f"OK {args.file}: {len(lengths)} populations x {bins} bins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
