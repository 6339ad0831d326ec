"""The brain view of a run of a brain bundle (docs/brain_bundle.md): per-voxel
and per-region mean firing rates, from the per-neuron spike counts the
report already accumulates, drawn as a bar chart ordered by region label
(region_rates.png) and as three orthogonal glass-brain projections of the
voxel centres coloured by rate (glass_brain.png).

Finding the arrays: summary.json's "model" names the model file (relative to
where dtb ran, or absolute); its `brain: {arrays: FILE}` names brain.h5
relative to the model file. An explicit path (--brain) wins.

Neuron i of population E belongs to voxel v when i lies in the v-th range of
the running sums of /voxels/count_e (I likewise with count_i)."""
import math
import os
from dataclasses import dataclass

import h5py
import numpy as np

from .figure_canvas import new_figure, save_figure
from .hdf5_input import first_line, open_hdf5
from .input_error import InputError

BAR_WIDTH_PX = 1200
BAR_HEIGHT_PX = 500
GLASS_WIDTH_PX = 1500
GLASS_HEIGHT_PX = 520
MAX_NAMED_BARS = 60


@dataclass
class BrainArrays:
    path: str
    count_e: np.ndarray      # int64 [V]
    count_i: np.ndarray      # int64 [V]
    centre_mm: np.ndarray    # float64 [V x 3]
    label: np.ndarray        # int64 [V]
    region_names: dict       # label -> name (may be empty)


def _model_candidates(model, run_dir):
    if os.path.isabs(model):
        return [model]
    parent = os.path.dirname(os.path.abspath(run_dir))
    return [os.path.join(parent, model), os.path.abspath(model), os.path.join(os.path.abspath(run_dir), model)]


def _brain_arrays_of_model(model_path):
    """brain.h5 named by the model file, or None when the model is not a brain bundle."""
    try:
        import yaml
        with open(model_path, "r", encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except ImportError:  # Debian's python3-yaml is not installed: read the one line we need
        document = _brain_line(model_path)
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(model_path, f"cannot be read ({e})")
    except Exception as e:  # yaml.YAMLError
        raise InputError(model_path, f"is not valid YAML ({str(e).splitlines()[0]})")
    if not isinstance(document, dict) or "brain" not in document:
        return None
    brain = document["brain"]
    arrays = brain.get("arrays") if isinstance(brain, dict) else None
    if not isinstance(arrays, str) or not arrays:
        raise InputError(model_path, "has no file name (expected brain: {arrays: brain.h5})",
                         where="field 'brain.arrays'")
    return arrays if os.path.isabs(arrays) else os.path.join(os.path.dirname(model_path), arrays)


def _brain_line(model_path):
    with open(model_path, "r", encoding="utf-8") as f:
        for line in f:
            stripped = line.split("#", 1)[0].strip()
            if stripped.startswith("brain:") and "arrays:" in stripped:
                value = stripped.split("arrays:", 1)[1].strip().rstrip("}").strip().strip("'\"")
                return {"brain": {"arrays": value}}
    return {}


def locate_brain_arrays(summary_record, run_dir, explicit=None):
    """(path of brain.h5 or None, note or None). Raises InputError when the
    run's model is a brain bundle whose arrays are not there."""
    if explicit:
        path = os.path.join(explicit, "brain.h5") if os.path.isdir(explicit) else explicit
        if not os.path.isfile(path):
            raise InputError(path, "not found (given with --brain)")
        return path, None
    model = summary_record.get("model")
    if not isinstance(model, str) or not model:
        return None, None
    for candidate in _model_candidates(model, run_dir):
        if os.path.isfile(candidate):
            arrays = _brain_arrays_of_model(candidate)
            if arrays is None:
                return None, None
            if not os.path.isfile(arrays):
                raise InputError(arrays, f"not found (the brain arrays named by {candidate}; "
                                 "pass --brain PATH if the bundle has moved)")
            return arrays, None
    if model.endswith("model.yaml"):
        return None, (f"The model file {model} of summary.json was not found (looked relative to the run's "
                      "parent directory and to the current directory): if it is a brain bundle, pass "
                      "--brain BUNDLE/brain.h5 for the brain views.")
    return None, None


def read_brain_arrays(path):
    """The voxel table of brain.h5, checked; raises InputError naming the file."""
    f = open_hdf5(path)
    try:
        with f:
            def dataset(name, kind, ndim):
                if name not in f or not isinstance(f[name], h5py.Dataset):
                    raise InputError(path, "is missing", where=f"dataset {name}")
                d = f[name]
                if len(d.shape) != ndim or d.dtype.kind not in kind:
                    raise InputError(path, f"has shape {d.shape} and type {d.dtype}, expected "
                                     f"{ndim} dimension(s) of kind {kind!r}", where=f"dataset {name}")
                return d[()]
            count_e = dataset("/voxels/count_e", "ui", 1).astype(np.int64)
            count_i = dataset("/voxels/count_i", "ui", 1).astype(np.int64)
            centre = dataset("/voxels/centre_mm", "f", 2).astype(np.float64)
            label = dataset("/voxels/label", "ui", 1).astype(np.int64)
            voxels = count_e.size
            if count_e.size == 0:
                raise InputError(path, "has no voxels", where="dataset /voxels/count_e")
            for name, array in (("count_i", count_i), ("label", label)):
                if array.size != voxels:
                    raise InputError(path, f"has {array.size} entries, count_e has {voxels}",
                                     where=f"dataset /voxels/{name}")
            if centre.shape != (voxels, 3):
                raise InputError(path, f"has shape {centre.shape}, expected ({voxels}, 3)",
                                 where="dataset /voxels/centre_mm")
            if np.any(count_e < 0) or np.any(count_i < 0):
                raise InputError(path, "has a negative count", where="group /voxels")
            names = {}
            if "regions" in f and "label" in f["regions"] and "name" in f["regions"]:
                labels = np.asarray(f["regions/label"][()]).astype(np.int64).ravel()
                texts = f["regions/name"].asstr()[()] if f["regions/name"].dtype.kind in "OS" else None
                if texts is not None and len(texts) == labels.size:
                    names = {int(a): str(b) for a, b in zip(labels, np.atleast_1d(texts))}
    except InputError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as e:
        raise InputError(path, f"is damaged ({first_line(e)})")
    return BrainArrays(path=str(path), count_e=count_e, count_i=count_i, centre_mm=centre, label=label,
                       region_names=names)


def _per_voxel(neuron_counts, voxel_sizes):
    """Sum of per-neuron counts over each voxel's contiguous range of neurons."""
    running = np.r_[0, np.cumsum(np.asarray(neuron_counts, dtype=np.int64))]
    ends = np.cumsum(voxel_sizes)
    return running[ends] - running[ends - voxel_sizes]


def brain_rates(brain, statistics, recorded_ms):
    """report.json's "brain" record from the per-neuron counts of E and I."""
    by_name = {s.name: s for s in statistics}
    if set(by_name) != {"E", "I"}:
        raise InputError(brain.path, f"describes populations E and I, but the run has "
                         f"{', '.join(sorted(by_name))}", where="group /voxels")
    for name, counts in (("E", brain.count_e), ("I", brain.count_i)):
        if int(counts.sum()) != by_name[name].size:
            raise InputError(brain.path, f"sums to {int(counts.sum())} neurons, but population {name} of "
                             f"the run has {by_name[name].size}", where=f"dataset /voxels/count_{name.lower()}")
    seconds = recorded_ms * 1e-3
    spikes_e = _per_voxel(by_name["E"].neuron_spike_counts, brain.count_e)
    spikes_i = _per_voxel(by_name["I"].neuron_spike_counts, brain.count_i)
    neurons = brain.count_e + brain.count_i
    spikes = spikes_e + spikes_i
    with np.errstate(invalid="ignore", divide="ignore"):
        voxel_rate = np.where(neurons > 0, spikes / (neurons * seconds), np.nan)
    labels, inverse = np.unique(brain.label, return_inverse=True)
    region_spikes = np.bincount(inverse, weights=spikes, minlength=labels.size)
    region_e = np.bincount(inverse, weights=spikes_e, minlength=labels.size)
    region_i = np.bincount(inverse, weights=spikes_i, minlength=labels.size)
    region_ne = np.bincount(inverse, weights=brain.count_e, minlength=labels.size)
    region_ni = np.bincount(inverse, weights=brain.count_i, minlength=labels.size)
    region_voxels = np.bincount(inverse, minlength=labels.size)

    def rate(s, n):
        return float(s / (n * seconds)) if n > 0 else None

    regions = [{"label": int(label), "name": brain.region_names.get(int(label)),
                "voxels": int(region_voxels[r]), "neurons": int(region_ne[r] + region_ni[r]),
                "spike_count": int(region_spikes[r]),
                "rate_hz": rate(region_spikes[r], region_ne[r] + region_ni[r]),
                "rate_e_hz": rate(region_e[r], region_ne[r]), "rate_i_hz": rate(region_i[r], region_ni[r])}
               for r, label in enumerate(labels)]
    return {
        "arrays": os.path.abspath(brain.path),
        "voxels": int(neurons.size),
        "regions": regions,
        "voxel_rate_hz": [None if not math.isfinite(v) else float(v) for v in voxel_rate],
    }, voxel_rate


def draw_region_rates(directory, record):
    regions = record["regions"]
    figure = new_figure(BAR_WIDTH_PX, BAR_HEIGHT_PX)
    named = len(regions) <= MAX_NAMED_BARS
    axes = figure.add_axes([0.06, 0.28 if named else 0.12, 0.92, 0.62 if named else 0.78])
    x = np.arange(len(regions))
    heights = [r["rate_hz"] if r["rate_hz"] is not None else 0.0 for r in regions]
    axes.bar(x, heights, width=0.8, color="#3b75af")
    axes.set_xlim(-0.6, len(regions) - 0.4)
    if len(regions) <= MAX_NAMED_BARS:
        axes.set_xticks(x)
        axes.set_xticklabels([r["name"] or str(r["label"]) for r in regions], rotation=90,
                             fontsize=7 if len(regions) > 25 else 9)
    else:
        step = int(math.ceil(len(regions) / 30))
        axes.set_xticks(x[::step])
        axes.set_xticklabels([str(r["label"]) for r in regions[::step]], fontsize=8)
        axes.set_xlabel("region label")
    axes.set_ylabel("mean rate (Hz)")
    axes.set_title(f"Mean firing rate per region ({len(regions)} regions, E and I together)")
    caption = ("Each bar is one region of the brain bundle, in ascending atlas label order: the spikes of "
               "all its neurons (E and I) / (its neurons × recorded seconds). report.json gives each "
               "region's label, name, rate and its E and I rates separately.")
    return save_figure(figure, directory, "region_rates.png", "Mean firing rate per region", caption)


def draw_glass_brain(directory, brain, voxel_rate):
    figure = new_figure(GLASS_WIDTH_PX, GLASS_HEIGHT_PX)
    finite = np.isfinite(voxel_rate)
    order = np.argsort(np.where(finite, voxel_rate, -np.inf), kind="stable")  # most active drawn last
    order = order[finite[order]]
    centre = brain.centre_mm[order]
    values = voxel_rate[order]
    high = float(values.max()) if values.size else 1.0
    high = high if high > 0 else 1.0
    size = float(np.clip(4000.0 / max(1, values.size), 2.0, 60.0))
    views = [(0, 1, "x–y (from above)"), (0, 2, "x–z (from the front)"), (1, 2, "y–z (from the side)")]
    scatter = None
    for k, (a, b, title) in enumerate(views):
        axes = figure.add_axes([0.04 + k * 0.305, 0.12, 0.27, 0.76])
        scatter = axes.scatter(centre[:, a], centre[:, b], c=values, s=size, cmap="plasma", vmin=0.0, vmax=high,
                               edgecolors="none", alpha=0.85)
        axes.set_aspect("equal", adjustable="datalim")
        axes.set_xlabel(f"{'xyz'[a]} (mm)")
        axes.set_ylabel(f"{'xyz'[b]} (mm)")
        axes.set_title(title, fontsize=10)
    colour_axes = figure.add_axes([0.955, 0.12, 0.012, 0.76])
    colourbar = figure.colorbar(scatter, cax=colour_axes)
    colourbar.set_label("voxel rate (Hz)")
    figure.suptitle(f"Glass brain: {values.size} voxel centres coloured by mean rate", fontsize=11)
    caption = ("Three orthogonal projections of the voxel centres (world mm, the atlas's space), each "
               "point coloured by the voxel's mean rate (spikes of its E and I neurons / (neurons × recorded "
               "seconds)). Points overlap; the most active voxels are drawn on top.")
    return save_figure(figure, directory, "glass_brain.png", "Glass brain of voxel rates", caption)


