"""The spikes a raster plot shows: a fixed sample of neurons per population
and a time window short enough that the plot stays readable.

Rows: up to TOTAL_ROWS neuron rows over all populations, shared in
proportion to population size, at least MIN_ROWS per population (or all its
neurons, if fewer; fewer when there are more than TOTAL_ROWS / MIN_ROWS
populations, but always one), chosen evenly spaced over the population's ids (no
randomness: the same run gives the same raster). At 10^6 neurons this shows
a few hundred neurons, each row about one pixel tall or more.

Window: from the start of the recording, as long as the expected number of
sampled spikes (from the spike counts of the file) stays within
POINT_BUDGET; the whole recording when it fits."""
from dataclasses import dataclass, field

import numpy as np

TOTAL_ROWS = 600
MIN_ROWS = 10
POINT_BUDGET = 150_000
# Memory guard, not a display rule: a population keeps at most this many times
# its expected points (at least HARD_CAP_MIN), should its sampled neurons be
# far more active than its average.
HARD_CAP_FACTOR = 10
HARD_CAP_MIN = 10_000


def sample_rows(sizes):
    """Number of sampled neurons per population, for population sizes `sizes`.
    With many populations the minimum shrinks (down to one row each) so the
    total stays near TOTAL_ROWS."""
    total = sum(sizes)
    least = max(1, min(MIN_ROWS, TOTAL_ROWS // len(sizes)))
    return [min(size, max(least, int(TOTAL_ROWS * size / total))) for size in sizes]


def sampled_ids(size, rows):
    """`rows` population-local ids spread evenly over 0..size-1."""
    return np.unique(np.linspace(0, size - 1, rows).round().astype(np.int64))


def raster_window_ms(start_ms, recorded_ms, expected_points):
    """(start, stop) in ms of the raster window, see the module text."""
    if expected_points <= POINT_BUDGET:
        return start_ms, start_ms + recorded_ms
    return start_ms, start_ms + recorded_ms * POINT_BUDGET / expected_points


@dataclass
class PopulationRaster:
    name: str
    size: int
    neuron_ids: np.ndarray     # sampled population-local ids, one per row
    window_ms: tuple
    max_points: int
    times: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    points: int = 0
    truncated: bool = False

    def __post_init__(self):
        self._row_of = np.full(self.size, -1, dtype=np.int32)
        self._row_of[self.neuron_ids] = np.arange(self.neuron_ids.size, dtype=np.int32)

    def add(self, times, ids):
        rows = self._row_of[ids]
        keep = (rows >= 0) & (times > self.window_ms[0]) & (times <= self.window_ms[1])
        count = int(np.count_nonzero(keep))
        if count == 0:
            return
        room = self.max_points - self.points
        if count > room:
            self.truncated = True
            keep = np.flatnonzero(keep)[:max(room, 0)]
            count = keep.size
            if count == 0:
                return
        self.times.append(times[keep])
        self.rows.append(rows[keep])
        self.points += count

    def spikes(self):
        """(times ms, row index) of the collected points."""
        if not self.times:
            return np.zeros(0), np.zeros(0, dtype=np.int32)
        return np.concatenate(self.times), np.concatenate(self.rows)


def plan_rasters(populations, spike_counts, start_ms, recorded_ms):
    """One PopulationRaster per population (dicts name->size, name->spikes)."""
    names = list(populations)
    rows = sample_rows([populations[n] for n in names])
    expected = sum(spike_counts[n] * r / populations[n] for n, r in zip(names, rows))
    window = raster_window_ms(start_ms, recorded_ms, expected)
    rasters = []
    for name, row_count in zip(names, rows):
        size = populations[name]
        share = spike_counts[name] * row_count / size
        cap = int(max(HARD_CAP_FACTOR * share * (window[1] - window[0]) / recorded_ms, HARD_CAP_MIN))
        rasters.append(PopulationRaster(name=name, size=size, neuron_ids=sampled_ids(size, row_count),
                                        window_ms=window, max_points=cap))
    return rasters
