"""Reads a SONATA spike file (spikes.h5) in slices, never whole:

  /spikes/<population>/timestamps  float64 [n], ms
  /spikes/<population>/node_ids    unsigned integer [n], population-local

Each population's spikes are handed out as (timestamps, node_ids) blocks of
at most `block_spikes` spikes, in file order."""
import h5py
import numpy as np

from .hdf5_input import first_line, open_hdf5
from .input_error import InputError

# 2 MiB each of timestamps and node_ids per block; with the block's temporaries
# (sorting by neuron, ISIs) about 25 MiB, whatever the size of the file.
DEFAULT_BLOCK_SPIKES = 1 << 18


class SonataSpikeFile:
    """An open spikes.h5, checked against the populations of the run."""

    def __init__(self, path, populations, block_spikes=DEFAULT_BLOCK_SPIKES):
        self.path = str(path)
        self.block_spikes = int(block_spikes)
        self._sizes = {p.name: p.size for p in populations}
        self._file = open_hdf5(self.path)
        try:
            self._datasets = self._check_layout()
        except InputError:
            self._file.close()
            raise
        except (OSError, KeyError, ValueError, RuntimeError) as e:
            self._file.close()
            raise InputError(self.path, f"is damaged ({first_line(e)})")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._file.close()

    def spike_count(self, name):
        return self._datasets[name][0].shape[0]

    def sorting(self, name):
        """The SONATA 'sorting' attribute as a name ('by_time', ...) or None."""
        group = self._file["spikes"][name]
        if "sorting" not in group.attrs:
            return None
        value = int(np.asarray(group.attrs["sorting"]))
        members = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype) or {}
        for member, number in members.items():
            if number == value:
                return member
        return str(value)

    def blocks(self, name):
        """Yields (timestamps float64, node_ids int64) blocks of population `name`."""
        timestamps, node_ids = self._datasets[name]
        size = self._sizes[name]
        total = timestamps.shape[0]
        for start in range(0, total, self.block_spikes):
            stop = min(total, start + self.block_spikes)
            entries = f"entries {start}..{stop - 1}"
            try:
                times = np.asarray(timestamps[start:stop], dtype=np.float64)
                ids = np.asarray(node_ids[start:stop])
            except (OSError, ValueError, RuntimeError) as e:
                raise InputError(self.path, f"cannot be read ({first_line(e)})",
                                 where=f"group /spikes/{name}, {entries}")
            if not np.all(np.isfinite(times)):
                raise InputError(self.path, "has a timestamp that is not a finite number",
                                 where=f"dataset /spikes/{name}/timestamps, {entries}")
            ids_where = f"dataset /spikes/{name}/node_ids, {entries}"
            if ids.size and ids.min() < 0:
                raise InputError(self.path, f"has negative node id {int(ids.min())}", where=ids_where)
            if ids.size and ids.max() >= size:
                raise InputError(self.path, f"has node id {int(ids.max())}, but population '{name}' "
                                 f"has {size} neurons (ids 0..{size - 1})", where=ids_where)
            yield times, ids.astype(np.int64, copy=False)

    def _check_layout(self):
        if "spikes" not in self._file or not isinstance(self._file["spikes"], h5py.Group):
            raise InputError(self.path, "has no group /spikes (not a SONATA spike file)")
        spikes = self._file["spikes"]
        datasets = {}
        for name in self._sizes:
            if name not in spikes:
                raise InputError(self.path, f"is missing (population '{name}' of summary.json)",
                                 where=f"group /spikes/{name}")
            group = spikes[name]
            pair = []
            for key, kind in (("timestamps", "f"), ("node_ids", "u")):
                where = f"dataset /spikes/{name}/{key}"
                if key not in group or not isinstance(group[key], h5py.Dataset):
                    raise InputError(self.path, "is missing", where=where)
                dataset = group[key]
                if len(dataset.shape) != 1:
                    raise InputError(self.path, f"has shape {dataset.shape}, expected one dimension",
                                     where=where)
                if dataset.dtype.kind not in (kind, "i" if kind == "u" else kind):
                    expected = "float64" if kind == "f" else "uint64"
                    raise InputError(self.path, f"has type {dataset.dtype}, expected {expected}",
                                     where=where)
                pair.append(dataset)
            if pair[0].shape != pair[1].shape:
                raise InputError(self.path, f"timestamps has {pair[0].shape[0]} entries but node_ids "
                                 f"has {pair[1].shape[0]}", where=f"group /spikes/{name}")
            datasets[name] = tuple(pair)
        for name in spikes:
            if name not in self._sizes:
                raise InputError(self.path, "is not a population of summary.json "
                                 f"({', '.join(self._sizes)})", where=f"group /spikes/{name}")
        return datasets


