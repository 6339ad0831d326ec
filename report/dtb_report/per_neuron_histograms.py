"""isi_cv.png and rate_histogram.png: the distributions, over the neurons of
each population, of the ISI coefficient of variation and of the firing rate."""
import numpy as np

from .population_histogram_figure import draw_population_histograms

CV_RANGE_MIN = 2.0
CV_RANGE_MAX = 5.0
BINS = 40


def rate_bin_edges(max_rate_hz, recorded_ms):
    """About BINS bins from 0 to the highest rate. A neuron's rate is a
    whole number of spikes / recorded time, so bin widths are whole multiples
    of that step, centred on its multiples (no empty bins between full ones)."""
    quantum = 1e3 / recorded_ms
    steps = int(np.ceil(max_rate_hz / quantum - 1e-9)) + 1 if max_rate_hz > 0 else 1
    per_bin = max(1, int(np.ceil(steps / BINS)))
    bins = int(np.ceil(steps / per_bin))
    return (np.arange(bins + 1) * per_bin - 0.5) * quantum


def draw_isi_cv_histograms(directory, statistics):
    series = [(s.name, s.neuron_cvs) for s in statistics]
    everything = np.concatenate([values for _, values in series])
    high = CV_RANGE_MIN
    if everything.size:
        high = float(np.clip(np.ceil(np.percentile(everything, 99) * 2) / 2, CV_RANGE_MIN, CV_RANGE_MAX))
    counted = {s.name: s for s in statistics}

    def note(label, values):
        if not values.size:
            return "no neuron with >= 2 ISIs"
        source = counted.get(label)
        of = f" of {source.size}" if source else ""
        return f"mean {np.mean(values):.3g}, {values.size}{of} neurons"

    caption = ("Coefficient of variation (standard deviation / mean) of each neuron's inter-spike "
               "intervals, for the neurons with at least two intervals. About 1 is Poisson-like "
               "irregular firing, near 0 is clock-like regular firing, above 1 is bursty. "
               f"CVs above {high:g} are counted in the last bin.")
    return draw_population_histograms(directory, "isi_cv.png", "ISI coefficient of variation per neuron",
                                      caption, series, np.linspace(0.0, high, BINS + 1), "CV of ISI", note)


def draw_rate_histograms(directory, statistics, recorded_ms):
    series = [(s.name, s.neuron_rates_hz) for s in statistics]
    highest = max((float(values.max()) for _, values in series if values.size), default=0.0)

    def note(label, values):
        # Per-neuron rates of a population (or of the pooled panel).
        if not values.size:
            return "no neurons"
        silent = float(np.mean(values == 0))
        return f"mean {float(np.mean(values)):.3g} Hz, {100 * silent:.3g} % silent"

    caption = ("Firing rate of each neuron over the whole recording (spikes / recorded time), "
               "silent neurons included (the bar at 0 Hz). A long right tail means a few neurons "
               "carry much of the activity.")
    return draw_population_histograms(directory, "rate_histogram.png", "Firing rate per neuron",
                                      caption, series, rate_bin_edges(highest, recorded_ms), "rate (Hz)", note)
