"""Builds a report of one run directory: reads summary.json, rates.h5 and
(when present) spikes.h5 in one streaming pass, draws the figures and writes
report.json and report.html, all into a staged directory renamed into place
at the end."""
import os

from .input_error import InputError
from .pending_views import detect_pending_views
from .per_neuron_histograms import draw_isi_cv_histograms, draw_rate_histograms
from .population_rate_file import read_population_rates
from .raster_figure import draw_raster
from .raster_sample import plan_rasters
from .rate_trace_figure import draw_rate_traces
from .report_page import write_report_page
from .report_record import population_record, write_report_record
from .run_summary import read_run_summary
from .sonata_spike_file import DEFAULT_BLOCK_SPIKES, SonataSpikeFile
from .spike_train_statistics import SpikeOrderError, SpikeTrainAccumulator
from .staged_directory import StagedDirectory, check_replaceable

SUMMARY_FILE = "summary.json"
RATES_FILE = "rates.h5"
SPIKES_FILE = "spikes.h5"


def default_out_dir(run_dir):
    return os.path.join(run_dir, "report")


def read_spikes(path, summary, block_spikes):
    """One pass over spikes.h5: (per-population statistics, rasters)."""
    sizes = {p.name: p.size for p in summary.populations}
    with SonataSpikeFile(path, summary.populations, block_spikes) as spikes:
        counts = {name: spikes.spike_count(name) for name in sizes}
        rasters = plan_rasters(sizes, counts, summary.warmup_ms, summary.t_stop_ms)
        statistics = []
        for raster in rasters:
            accumulator = SpikeTrainAccumulator(raster.name, raster.size)
            for times, ids in spikes.blocks(raster.name):
                try:
                    accumulator.add(times, ids)
                except SpikeOrderError as e:
                    raise InputError(path, str(e), where=f"group /spikes/{raster.name}")
                raster.add(times, ids)
            statistics.append(accumulator.result(summary.t_stop_ms))
    return statistics, rasters


def build_report(run_dir, out_dir=None, block_spikes=DEFAULT_BLOCK_SPIKES, log=None):
    """Writes the report; returns the path of report.html. Raises InputError
    for bad input, OSError when the output cannot be written."""
    log = log or (lambda message: None)
    if not os.path.isdir(run_dir):
        raise InputError(run_dir, "is not a directory (expected the --out directory of a dtb run)")
    out_dir = os.path.abspath(out_dir or default_out_dir(run_dir))
    if os.path.abspath(run_dir) == out_dir:
        raise InputError(out_dir, "is the run directory itself; the report needs a directory of its own")
    check_replaceable(out_dir)

    summary = read_run_summary(os.path.join(run_dir, SUMMARY_FILE))
    names = summary.population_names()
    rates = read_population_rates(os.path.join(run_dir, RATES_FILE), names, summary.t_stop_ms)
    spikes_path = os.path.join(run_dir, SPIKES_FILE)
    notes = []
    statistics, rasters = None, None
    if os.path.lexists(spikes_path):
        log(f"reading {spikes_path}")
        statistics, rasters = read_spikes(spikes_path, summary, block_spikes)
    else:
        notes.append(f"{spikes_path} is not there (a run with --no-spikes?): the raster, ISI-CV and "
                     "rate histograms are left out; population rates come from rates.h5.")
    views = detect_pending_views(run_dir, summary.record)
    notes += [v["message"] for v in views]

    staged = StagedDirectory(out_dir)
    with staged as staging:
        log("drawing figures")
        figures = []
        if rasters is not None:
            figures.append(draw_raster(staging, rasters, summary.warmup_ms, summary.t_stop_ms))
        figures.append(draw_rate_traces(staging, rates))
        if statistics is not None:
            figures.append(draw_isi_cv_histograms(staging, statistics))
            figures.append(draw_rate_histograms(staging, statistics, summary.t_stop_ms))

        populations = [population_record(p, statistics[i] if statistics else None, rates.traces[i])
                       for i, p in enumerate(summary.populations)]
        raster_record = None
        if rasters is not None:
            raster_record = {
                "window_ms": list(rasters[0].window_ms),
                "sampled_neurons": {r.name: int(r.neuron_ids.size) for r in rasters},
                "sampled_ids": {r.name: r.neuron_ids.tolist() for r in rasters},
                "points": {r.name: r.points for r in rasters},
                "truncated": [r.name for r in rasters if r.truncated],
            }
        inputs = {"summary": SUMMARY_FILE, "rates": RATES_FILE,
                  "spikes": SPIKES_FILE if statistics is not None else None}
        write_report_record(staging, run_dir, summary, inputs, populations, figures, raster_record,
                            views, notes)
        # The page last: its presence means everything it references is there.
        write_report_page(os.path.join(staging, "report.html"), run_dir, summary.record, populations,
                          figures, notes)
        staged.commit()
    return os.path.join(out_dir, "report.html")
