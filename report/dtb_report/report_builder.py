"""Builds a report of one run directory: reads summary.json, rates.h5 and
(when present) spikes.h5 in one streaming pass, draws the figures and writes
report.json and report.html, all into a staged directory renamed into place
at the end."""
import os

from .assimilation_view import ASSIMILATION_FILE, assimilation_record, draw_assimilation, read_assimilation
from .brain_view import (brain_rates, draw_glass_brain, draw_region_rates, locate_brain_arrays,
                         read_brain_arrays)
from .input_error import InputError
from .per_neuron_histograms import draw_isi_cv_histograms, draw_rate_histograms
from .population_rate_file import read_population_rates
from .raster_figure import draw_raster
from .raster_sample import plan_rasters
from .rate_trace_figure import draw_rate_traces
from .report_page import write_report_page
from .report_record import population_record, write_report_record
from .run_summary import load_summary_record, read_run_summary
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


def is_assimilation_summary(record):
    """summary.json of `dtb assimilate` (no populations; TRs and members)."""
    return "populations" not in record and "trs" in record and "members" in record


def build_report(run_dir, out_dir=None, block_spikes=DEFAULT_BLOCK_SPIKES, log=None, brain=None):
    """Writes the report; returns the path of report.html. Raises InputError
    for bad input, OSError when the output cannot be written. `brain`: an
    explicit brain.h5 (or bundle directory) for the brain views."""
    log = log or (lambda message: None)
    if not os.path.isdir(run_dir):
        raise InputError(run_dir, "is not a directory (expected the --out directory of a dtb run)")
    out_dir = os.path.abspath(out_dir or default_out_dir(run_dir))
    if os.path.abspath(run_dir) == out_dir:
        raise InputError(out_dir, "is the run directory itself; the report needs a directory of its own")
    check_replaceable(out_dir)

    summary_path = os.path.join(run_dir, SUMMARY_FILE)
    summary_record = load_summary_record(summary_path)
    assimilation_path = os.path.join(run_dir, ASSIMILATION_FILE)
    assimilation_only = is_assimilation_summary(summary_record)
    if assimilation_only and not os.path.lexists(assimilation_path):
        raise InputError(assimilation_path, "not found (summary.json is that of `dtb assimilate`, which "
                         "writes assimilation.h5 next to it)")
    notes = []
    summary, rates, statistics, rasters = None, None, None, None
    brain_record, brain_arrays, voxel_rate = None, None, None
    if not assimilation_only:
        summary = read_run_summary(summary_path, summary_record)
        names = summary.population_names()
        rates = read_population_rates(os.path.join(run_dir, RATES_FILE), names, summary.t_stop_ms)
        brain_path, brain_note = locate_brain_arrays(summary.record, run_dir, brain)
        if brain_note:
            notes.append(brain_note)
        if brain_path:
            log(f"reading {brain_path}")
            brain_arrays = read_brain_arrays(brain_path)
        spikes_path = os.path.join(run_dir, SPIKES_FILE)
        if os.path.lexists(spikes_path):
            log(f"reading {spikes_path}")
            statistics, rasters = read_spikes(spikes_path, summary, block_spikes)
        else:
            notes.append(f"{spikes_path} is not there (a run with --no-spikes?): the raster, ISI-CV and "
                         "rate histograms are left out; population rates come from rates.h5."
                         + (" The brain views need per-neuron spikes and are left out too."
                            if brain_arrays is not None else ""))
        if brain_arrays is not None and statistics is not None:
            brain_record, voxel_rate = brain_rates(brain_arrays, statistics, summary.t_stop_ms)
    elif brain:
        notes.append("--brain is ignored: this is an assimilation run (no spikes to map to voxels).")

    assimilation, results, matrices = None, None, None
    if os.path.lexists(assimilation_path):
        log(f"reading {assimilation_path}")
        results = read_assimilation(assimilation_path)
        assimilation, matrices = assimilation_record(results, summary_record)
        if assimilation["fc_note"]:
            notes.append(assimilation["fc_note"])

    staged = StagedDirectory(out_dir)
    with staged as staging:
        log("drawing figures")
        figures = []
        if rasters is not None:
            figures.append(draw_raster(staging, rasters, summary.warmup_ms, summary.t_stop_ms))
        if rates is not None:
            figures.append(draw_rate_traces(staging, rates))
        if statistics is not None:
            figures.append(draw_isi_cv_histograms(staging, statistics))
            figures.append(draw_rate_histograms(staging, statistics, summary.t_stop_ms))
        if brain_record is not None:
            figures.append(draw_region_rates(staging, brain_record))
            figures.append(draw_glass_brain(staging, brain_arrays, voxel_rate))
        if assimilation is not None:
            figures += draw_assimilation(staging, results, assimilation, matrices)

        populations = []
        if summary is not None:
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
        inputs = {"summary": SUMMARY_FILE, "rates": RATES_FILE if rates is not None else None,
                  "spikes": SPIKES_FILE if statistics is not None else None,
                  "brain": brain_record["arrays"] if brain_record else None,
                  "assimilation": ASSIMILATION_FILE if assimilation is not None else None}
        views = [name for name, value in (("brain", brain_record), ("assimilation", assimilation)) if value]
        write_report_record(staging, run_dir, summary, inputs, populations, figures, raster_record,
                            views, notes, brain=brain_record, assimilation=assimilation)
        # The page last: its presence means everything it references is there.
        write_report_page(os.path.join(staging, "report.html"), run_dir, summary_record, populations,
                          figures, notes, brain=brain_record, assimilation=assimilation)
        staged.commit()
    return os.path.join(out_dir, "report.html")
