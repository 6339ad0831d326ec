"""Binned population rates (rates.h5, written by `dtb run`):

  /rates/<population>  float64 [bins], Hz
  /rates attributes    bin_ms, t_start_ms

Read in slices and averaged down to at most MAX_POINTS points per population
for plotting; the mean rate over the recording is computed on the way (the
last bin may be shorter than bin_ms)."""
from dataclasses import dataclass

import h5py
import numpy as np

from .hdf5_input import open_hdf5
from .input_error import InputError

MAX_POINTS = 2000
SLICE_BINS = 1 << 20


@dataclass
class RateTrace:
    name: str
    times_ms: np.ndarray   # centre of each plotted point, ms from the start of the recording
    rates_hz: np.ndarray
    mean_rate_hz: float    # over the whole recording, from the full-resolution bins


@dataclass
class PopulationRates:
    path: str
    bin_ms: float
    t_start_ms: float
    recorded_ms: float
    plotted_bin_ms: float
    traces: list


def read_population_rates(path, population_names, recorded_ms):
    f = open_hdf5(path, missing="not found (every run writes rates.h5)")
    with f:
        try:
            return _read(path, f, population_names, recorded_ms)
        except InputError:
            raise
        except (OSError, KeyError, ValueError, RuntimeError) as e:
            raise InputError(path, f"is damaged ({str(e).splitlines()[0]})")


def _attribute(path, group, key):
    if key not in group.attrs:
        raise InputError(path, "is missing", where=f"attribute /rates/{key}")
    value = np.asarray(group.attrs[key])
    if value.size != 1 or value.dtype.kind not in "fiu" or not np.isfinite(value.reshape(-1)[0]):
        raise InputError(path, f"is {value!r}, expected a number", where=f"attribute /rates/{key}")
    return float(value.reshape(-1)[0])


def _read(path, f, population_names, recorded_ms):
    if "rates" not in f or not isinstance(f["rates"], h5py.Group):
        raise InputError(path, "has no group /rates")
    group = f["rates"]
    bin_ms = _attribute(path, group, "bin_ms")
    if bin_ms <= 0:
        raise InputError(path, f"is {bin_ms}, expected > 0", where="attribute /rates/bin_ms")
    t_start_ms = _attribute(path, group, "t_start_ms") if "t_start_ms" in group.attrs else 0.0
    expected_bins = int(np.ceil(recorded_ms / bin_ms - 1e-9))
    factor = max(1, int(np.ceil(expected_bins / MAX_POINTS)))
    traces = []
    for name in population_names:
        where = f"dataset /rates/{name}"
        if name not in group or not isinstance(group[name], h5py.Dataset):
            raise InputError(path, f"is missing (population '{name}' of summary.json)", where=where)
        dataset = group[name]
        if dataset.shape != (expected_bins,):
            raise InputError(path, f"has shape {dataset.shape}, expected ({expected_bins},) = "
                             f"{recorded_ms} ms / {bin_ms} ms bins", where=where)
        if dataset.dtype.kind != "f":
            raise InputError(path, f"has type {dataset.dtype}, expected float64", where=where)
        traces.append(_trace(path, where, name, dataset, bin_ms, recorded_ms, factor))
    return PopulationRates(path=str(path), bin_ms=bin_ms, t_start_ms=t_start_ms, recorded_ms=recorded_ms,
                           plotted_bin_ms=bin_ms * factor, traces=traces)


def _trace(path, where, name, dataset, bin_ms, recorded_ms, factor):
    bins = dataset.shape[0]
    step = max(factor, (SLICE_BINS // factor) * factor)  # slices hold whole plotted points
    points = []
    weighted_sum = 0.0
    for start in range(0, bins, step):
        values = np.asarray(dataset[start:start + step], dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise InputError(path, "has a rate that is not a finite number", where=where)
        widths = np.full(values.size, bin_ms)
        if start + values.size == bins:
            widths[-1] = recorded_ms - (bins - 1) * bin_ms
        weighted_sum += float(np.dot(values, widths))
        groups = np.arange(values.size) // factor
        points.append(np.bincount(groups, weights=values * widths) / np.bincount(groups, weights=widths))
    rates = np.concatenate(points) if points else np.zeros(0)
    edges = np.minimum(np.arange(rates.size + 1) * bin_ms * factor, recorded_ms)
    return RateTrace(name=name, times_ms=(edges[:-1] + edges[1:]) / 2, rates_hz=rates,
                     mean_rate_hz=weighted_sum / recorded_ms)
