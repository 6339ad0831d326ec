"""The assimilation view of a `dtb assimilate` output directory
(docs/assimilation.md; written by assimilation/assimilation_output.cpp):

  /bold/{observed, forecast, analysis, replay}   float64 [regions x TRs],
      attributes tr_ms, warmup_trs (forecast and analysis: ensemble means)
  /hyperparameters/<quantity>_<population>/{forecast_mean, forecast_spread,
      analysis_mean, analysis_spread}             float64 [TRs x voxels],
      NaN where not estimated; optional truth [voxels]; attributes low, high

Figures: bold_fit.png (observed vs forecast vs open-loop replay BOLD for up
to MAX_BOLD_REGIONS regions), fc_matrices.png (observed and replay FC side
by side with their correlation, fc_correlation.py), hyperparameters.png
(ensemble mean ± spread per TR, truth when known). Every array read is
regions x TRs or TRs x voxels; FC is computed only up to MAX_FC_REGIONS."""
import math
import os
from dataclasses import dataclass, field

import h5py
import numpy as np

from .fc_correlation import fc_correlation, functional_connectivity, pearson
from .figure_canvas import new_figure, population_colours, save_figure
from .hdf5_input import first_line, open_hdf5
from .input_error import InputError

ASSIMILATION_FILE = "assimilation.h5"
BOLD_SERIES = ("observed", "forecast", "analysis", "replay")
MAX_BOLD_REGIONS = 6
MAX_FC_REGIONS = 2000
MAX_HYPERPARAMETERS = 6
MAX_TRAJECTORY_VOXELS = 6
WIDTH_PX = 1200
BOLD_HEIGHT_PX = 700
FC_HEIGHT_PX = 560
HYPER_ROW_PX = 260
HYPER_EXTRA_PX = 60


@dataclass
class Hyperparameter:
    name: str
    low: object
    high: object
    forecast_mean: np.ndarray   # [TRs x voxels]
    forecast_spread: np.ndarray
    analysis_mean: np.ndarray
    analysis_spread: np.ndarray
    truth: object = None        # [voxels] or None


@dataclass
class AssimilationResults:
    path: str
    tr_ms: float
    warmup_trs: int
    bold: dict                  # series -> [regions x TRs]
    hyperparameters: list = field(default_factory=list)




def _scalar_attribute(path, obj, name, where, required=True):
    if name not in obj.attrs:
        if required:
            raise InputError(path, f"has no attribute '{name}'", where=where)
        return None
    value = np.asarray(obj.attrs[name]).ravel()
    if value.size != 1 or value.dtype.kind not in "fiu" or not math.isfinite(float(value[0])):
        raise InputError(path, f"attribute '{name}' is {value!r}, expected one finite number", where=where)
    return float(value[0])


def read_assimilation(path):
    """Reads and checks assimilation.h5; raises InputError naming the file."""
    f = open_hdf5(path)
    try:
        with f:
            if "bold" not in f or not isinstance(f["bold"], h5py.Group):
                raise InputError(path, "is missing (not an output of dtb assimilate?)", where="group /bold")
            group = f["bold"]
            tr_ms = _scalar_attribute(path, group, "tr_ms", "group /bold")
            if tr_ms <= 0:
                raise InputError(path, f"attribute 'tr_ms' is {tr_ms}, expected > 0", where="group /bold")
            warmup = _scalar_attribute(path, group, "warmup_trs", "group /bold", required=False) or 0.0
            bold = {}
            shape = None
            for series in BOLD_SERIES:
                where = f"dataset /bold/{series}"
                if series not in group or not isinstance(group[series], h5py.Dataset):
                    raise InputError(path, "is missing", where=where)
                d = group[series]
                if len(d.shape) != 2 or d.dtype.kind != "f":
                    raise InputError(path, f"has shape {d.shape} and type {d.dtype}, expected float64 "
                                     "[regions x TRs]", where=where)
                if shape is not None and d.shape != shape:
                    raise InputError(path, f"has shape {d.shape}, /bold/observed has {shape}", where=where)
                shape = d.shape
                bold[series] = np.asarray(d[()], dtype=np.float64)
            regions, trs = shape
            if regions < 1 or trs < 1:
                raise InputError(path, f"has shape {shape}: no regions or no TRs", where="dataset /bold/observed")
            if not np.all(np.isfinite(bold["observed"])):
                raise InputError(path, "has a value that is not a finite number", where="dataset /bold/observed")

            hyperparameters = []
            if "hyperparameters" in f:
                for name in sorted(f["hyperparameters"]):
                    h = f["hyperparameters"][name]
                    base = f"/hyperparameters/{name}"
                    if not isinstance(h, h5py.Group):
                        raise InputError(path, "is not a group", where=base)
                    arrays = {}
                    for key in ("forecast_mean", "forecast_spread", "analysis_mean", "analysis_spread"):
                        if key not in h or not isinstance(h[key], h5py.Dataset):
                            raise InputError(path, "is missing", where=f"dataset {base}/{key}")
                        d = h[key]
                        if len(d.shape) != 2 or d.shape[0] != trs or d.dtype.kind != "f":
                            raise InputError(path, f"has shape {d.shape} and type {d.dtype}, expected float64 "
                                             f"[{trs} TRs x voxels]", where=f"dataset {base}/{key}")
                        arrays[key] = np.asarray(d[()], dtype=np.float64)
                    voxels = arrays["forecast_mean"].shape[1]
                    if any(a.shape[1] != voxels for a in arrays.values()):
                        raise InputError(path, "datasets differ in their number of voxels", where=f"group {base}")
                    truth = None
                    if "truth" in h:
                        truth = np.asarray(h["truth"][()], dtype=np.float64).ravel()
                        if truth.size != voxels:
                            raise InputError(path, f"has {truth.size} entries, expected {voxels}",
                                             where=f"dataset {base}/truth")
                    hyperparameters.append(Hyperparameter(
                        name=name, low=_scalar_attribute(path, h, "low", f"group {base}", required=False),
                        high=_scalar_attribute(path, h, "high", f"group {base}", required=False),
                        truth=truth, **arrays))
    except InputError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as e:
        raise InputError(path, f"is damaged ({first_line(e)})")
    return AssimilationResults(path=str(path), tr_ms=tr_ms, warmup_trs=int(warmup), bold=bold,
                               hyperparameters=hyperparameters)


def _finite(value):
    return float(value) if value is not None and math.isfinite(value) else None


def plotted_regions(regions):
    """Up to MAX_BOLD_REGIONS region indices, evenly spread."""
    if regions <= MAX_BOLD_REGIONS:
        return list(range(regions))
    return sorted(set(int(round(i)) for i in np.linspace(0, regions - 1, MAX_BOLD_REGIONS)))


def assimilation_record(results, summary_record=None):
    """report.json's "assimilation" record, and the FC matrices (or None)."""
    observed = results.bold["observed"]
    regions, trs = observed.shape
    start = min(results.warmup_trs, trs)
    compared = trs - start
    record = {"file": os.path.abspath(results.path), "regions": regions, "trs": trs, "tr_ms": results.tr_ms,
              "warmup_trs": results.warmup_trs, "compared_trs": compared,
              "plotted_regions": plotted_regions(regions)}
    bold_corr = {}
    for series in ("forecast", "analysis", "replay"):
        values = [pearson(observed[r, start:], results.bold[series][r, start:]) if compared >= 2 else float("nan")
                  for r in range(regions)]
        finite = [v for v in values if math.isfinite(v)]
        bold_corr[series] = float(np.mean(finite)) if finite else None
    record["bold_corr"] = bold_corr
    matrices = None
    fc = {"forecast": None, "analysis": None, "replay": None}
    if compared >= 2 and 2 <= regions <= MAX_FC_REGIONS:
        observed_fc = functional_connectivity(observed[:, start:].T)
        matrices = {"observed": observed_fc}
        for series in fc:
            simulated = functional_connectivity(results.bold[series][:, start:].T)
            fc[series] = _finite(fc_correlation(observed_fc, simulated))
            matrices[series] = simulated
        record["fc_note"] = None
    else:
        record["fc_note"] = (f"FC needs at least 2 regions and 2 TRs after the warm-up, and at most "
                             f"{MAX_FC_REGIONS} regions; this file has {regions} regions and {compared} TRs.")
    record["fc_corr"] = fc
    if summary_record:
        record["summary_fc_corr"] = {s: _finite(summary_record.get(f"{s}_fc_corr"))
                                     if isinstance(summary_record.get(f"{s}_fc_corr"), (int, float)) else None
                                     for s in fc}
    hyper = []
    for h in results.hyperparameters:
        estimated = [v for v in range(h.analysis_mean.shape[1]) if np.any(np.isfinite(h.analysis_mean[:, v]))]
        final_mean = h.analysis_mean[-1]
        final_spread = h.analysis_spread[-1]
        entry = {"name": h.name, "low": h.low, "high": h.high, "estimated_voxels": estimated,
                 "plotted_voxels": estimated[:MAX_TRAJECTORY_VOXELS],
                 "final_mean": [_finite(final_mean[v]) for v in estimated],
                 "final_spread": [_finite(final_spread[v]) for v in estimated],
                 "truth": None, "rel_error": None}
        if h.truth is not None:
            entry["truth"] = [_finite(h.truth[v]) for v in estimated]
            entry["rel_error"] = [_finite(abs(final_mean[v] - h.truth[v]) / abs(h.truth[v]))
                                  if h.truth[v] != 0 else None for v in estimated]
        hyper.append(entry)
    record["hyperparameters"] = hyper
    return record, matrices


def _tr_seconds(results, trs):
    return (np.arange(trs) + 1) * results.tr_ms * 1e-3


def draw_bold_fit(directory, results, record):
    figure = new_figure(WIDTH_PX, BOLD_HEIGHT_PX)
    chosen = record["plotted_regions"]
    columns = 3 if len(chosen) > 2 else len(chosen)
    rows = int(math.ceil(len(chosen) / columns))
    trs = record["trs"]
    seconds = _tr_seconds(results, trs)
    styles = [("observed", "black", "-", 1.6), ("forecast", "#1f77b4", "--", 1.2), ("replay", "#ff7f0e", "-", 1.2)]
    for k, region in enumerate(chosen):
        axes = figure.add_subplot(rows, columns, k + 1)
        for series, colour, style, width in styles:
            axes.plot(seconds, results.bold[series][region], style, color=colour, linewidth=width,
                      marker="o" if trs <= 30 else None, markersize=3, label=series)
        if results.warmup_trs:
            axes.axvspan(0, results.warmup_trs * results.tr_ms * 1e-3, color="#dddddd", zorder=0)
        axes.set_title(f"region {region}", fontsize=10)
        axes.tick_params(labelsize=8)
        if k // columns == rows - 1:
            axes.set_xlabel("time (s)")
        if k % columns == 0:
            axes.set_ylabel("BOLD")
        if k == 0:
            axes.legend(fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.09, top=0.9, hspace=0.35, wspace=0.25)
    corr = record["bold_corr"]
    figure.suptitle("Observed vs forecast vs open-loop replay BOLD (mean corr with observed: forecast "
                    f"{_text(corr['forecast'])}, replay {_text(corr['replay'])})", fontsize=11)
    caption = (f"BOLD per TR ({results.tr_ms:g} ms) for {len(chosen)} of {record['regions']} regions "
               "(evenly spread by index): the observation, the filter's forecast (ensemble mean before it "
               "sees each TR) and the open-loop replay (one network run with the forecast-mean "
               "hyperparameters, never seeing the data: the honest test). Grey: warm-up TRs.")
    return save_figure(figure, directory, "bold_fit.png", "Observed, forecast and replay BOLD", caption)


def _text(value):
    return "n/a" if value is None else f"{value:.3g}"


def draw_fc_matrices(directory, record, matrices):
    figure = new_figure(WIDTH_PX, FC_HEIGHT_PX)
    image = None
    for k, (series, title) in enumerate((("observed", "observed FC"), ("replay", "simulated (replay) FC"))):
        axes = figure.add_axes([0.05 + k * 0.45, 0.1, 0.4, 0.76])
        image = axes.imshow(matrices[series], vmin=-1, vmax=1, cmap="RdBu_r", interpolation="nearest")
        axes.set_title(title, fontsize=10)
        axes.set_xlabel("region")
        axes.set_ylabel("region")
    colourbar = figure.colorbar(image, cax=figure.add_axes([0.93, 0.1, 0.015, 0.76]))
    colourbar.set_label("Pearson correlation")
    figure.suptitle(f"Functional connectivity: FC correlation (replay vs observed) = "
                    f"{_text(record['fc_corr']['replay'])}", fontsize=11)
    caption = ("Region × region Pearson correlation of BOLD over the TRs after the warm-up, observed (left) "
               "and open-loop replay (right). Their similarity is the Pearson correlation of the entries "
               "above the diagonal (fc_correlation.py); report.json also gives it for the forecast and "
               "analysis. Undefined entries (a constant region) are left white.")
    return save_figure(figure, directory, "fc_matrices.png", "Observed and simulated functional connectivity",
                       caption)


def draw_hyperparameters(directory, results, record):
    entries = [(h, e) for h, e in zip(results.hyperparameters, record["hyperparameters"])
               if e["plotted_voxels"]][:MAX_HYPERPARAMETERS]
    rows = max(1, len(entries))
    figure = new_figure(WIDTH_PX, HYPER_EXTRA_PX + HYPER_ROW_PX * rows)
    colours = population_colours(10)
    seconds = _tr_seconds(results, record["trs"])
    for row, (h, e) in enumerate(entries):
        axes = figure.add_subplot(rows, 1, row + 1)
        for k, voxel in enumerate(e["plotted_voxels"]):
            colour = colours[k % len(colours)]
            mean = h.analysis_mean[:, voxel]
            spread = h.analysis_spread[:, voxel]
            axes.fill_between(seconds, mean - spread, mean + spread, color=colour, alpha=0.2, linewidth=0)
            axes.plot(seconds, mean, color=colour, linewidth=1.4, label=f"voxel {voxel}")
            axes.plot(seconds, h.forecast_mean[:, voxel], ":", color=colour, linewidth=1.0)
            if h.truth is not None and math.isfinite(h.truth[voxel]):
                axes.axhline(h.truth[voxel], color=colour, linestyle="--", linewidth=1.0)
        axes.set_ylabel(h.name)
        axes.set_title(f"{h.name}: {len(e['plotted_voxels'])} of {len(e['estimated_voxels'])} estimated voxels",
                       fontsize=10)
        axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.tick_params(labelsize=8)
    if entries:
        figure.axes[-1].set_xlabel("time (s)")
    figure.subplots_adjust(left=0.08, right=0.88, bottom=0.6 * HYPER_EXTRA_PX / (HYPER_EXTRA_PX + HYPER_ROW_PX * rows)
                           + 0.05, top=1 - 30 / (HYPER_EXTRA_PX + HYPER_ROW_PX * rows), hspace=0.45)
    caption = ("Each estimated hyperparameter per TR: the ensemble mean after the analysis (solid) ± the "
               "ensemble spread (band), the forecast mean before the analysis (dotted) and the truth "
               "(dashed) when it is known (twin experiments). Up to "
               f"{MAX_TRAJECTORY_VOXELS} voxels per hyperparameter; report.json has the final values of all.")
    return save_figure(figure, directory, "hyperparameters.png", "Hyperparameter trajectories", caption)


def draw_assimilation(directory, results, record, matrices):
    figures = [draw_bold_fit(directory, results, record)]
    if matrices is not None:
        figures.append(draw_fc_matrices(directory, record, matrices))
    if any(e["plotted_voxels"] for e in record["hyperparameters"]):
        figures.append(draw_hyperparameters(directory, results, record))
    return figures
