"""Per-neuron spike counts and inter-spike-interval moments of one population,
accumulated block by block in arrays sized by the population, so a spike
file is never held in memory whole.

The ISI moments of each neuron (count, mean, sum of squared deviations) are
merged across blocks with Chan et al.'s pairwise update, which stays accurate
where a sum-of-squares formula would cancel. A neuron's spikes must come in
time order across the file (true for SONATA 'by_time' and 'by_id' sorting);
spikes of different neurons may interleave freely."""
from dataclasses import dataclass

import numpy as np


class SpikeOrderError(ValueError):
    """A neuron's spike times go backwards in file order."""


@dataclass
class PopulationStatistics:
    """What the report shows for one population (rates in Hz)."""
    name: str
    size: int
    spike_count: int
    rate_hz: float             # spikes / (size * recorded seconds)
    cv_isi: object             # mean CV over neurons with >= 2 ISIs, or None
    neurons_with_cv: int
    silent_fraction: float     # neurons without a spike / size
    neuron_rates_hz: np.ndarray
    neuron_cvs: np.ndarray     # CVs of the neurons with >= 2 ISIs
    neuron_spike_counts: object = None  # int64 [size]: spikes per neuron (the brain view sums them)


class SpikeTrainAccumulator:
    def __init__(self, name, size):
        self.name = name
        self.size = size
        self.counts = np.zeros(size, dtype=np.int64)
        self.last_time = np.full(size, np.nan)
        self.isi_count = np.zeros(size, dtype=np.int64)
        self.isi_mean = np.zeros(size)
        self.isi_m2 = np.zeros(size)

    def add(self, times, ids):
        """Adds a block of spikes (times in ms, population-local ids)."""
        if times.size == 0:
            return
        order = np.argsort(ids, kind="stable")  # groups by neuron, keeps file order inside
        ids = ids[order]
        times = times[order]
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        neurons = ids[starts]
        spikes_per_neuron = np.diff(np.r_[starts, ids.size])

        previous = np.empty_like(times)
        previous[1:] = times[:-1]
        previous[starts] = self.last_time[neurons]  # NaN for a neuron's first spike
        isi = times - previous
        has_isi = ~np.isnan(isi)
        backwards = np.flatnonzero(has_isi & (isi < 0))
        if backwards.size:
            first = backwards[0]
            raise SpikeOrderError(f"neuron {ids[first]} spikes at {times[first]:g} ms after a spike at "
                                  f"{previous[first]:g} ms: each neuron's spikes must be in time order")
        isi = np.where(has_isi, isi, 0.0)

        block_count = np.add.reduceat(has_isi.astype(np.int64), starts)
        block_sum = np.add.reduceat(isi, starts)
        block_mean = np.divide(block_sum, block_count, out=np.zeros_like(block_sum), where=block_count > 0)
        deviation = np.where(has_isi, isi - np.repeat(block_mean, spikes_per_neuron), 0.0)
        block_m2 = np.add.reduceat(deviation * deviation, starts)
        self._merge(neurons, block_count, block_mean, block_m2)

        self.counts[neurons] += spikes_per_neuron
        self.last_time[neurons] = times[np.r_[starts[1:], ids.size] - 1]

    def _merge(self, neurons, count_b, mean_b, m2_b):
        count_a = self.isi_count[neurons]
        mean_a = self.isi_mean[neurons]
        total = count_a + count_b
        delta = mean_b - mean_a
        weight_b = np.divide(count_b, total, out=np.zeros(total.shape), where=total > 0)
        self.isi_mean[neurons] = mean_a + delta * weight_b
        self.isi_m2[neurons] += m2_b + delta * delta * count_a * weight_b
        self.isi_count[neurons] = total

    def result(self, recorded_ms):
        seconds = recorded_ms * 1e-3
        neuron_rates = self.counts / seconds
        # A mean ISI of 0 (duplicate spike times) has no CV; skip such neurons.
        with_cv = (self.isi_count >= 2) & (self.isi_mean > 0)
        std = np.sqrt(self.isi_m2[with_cv] / self.isi_count[with_cv])
        cvs = std / self.isi_mean[with_cv]
        spike_count = int(self.counts.sum())
        return PopulationStatistics(
            name=self.name, size=self.size, spike_count=spike_count,
            rate_hz=spike_count / (self.size * seconds),
            cv_isi=float(np.mean(cvs)) if cvs.size else None,
            neurons_with_cv=int(cvs.size),
            silent_fraction=float(np.count_nonzero(self.counts == 0)) / self.size,
            neuron_rates_hz=neuron_rates, neuron_cvs=cvs, neuron_spike_counts=self.counts)
