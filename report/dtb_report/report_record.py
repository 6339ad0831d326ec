"""report.json: the numbers the report computed and the files it wrote, for
programs and tests (the page shows the same numbers rounded)."""
import json
import math
import os

from . import FORMAT_VERSION, GENERATOR


def _finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def population_record(summary_population, statistics, rate_trace):
    record = {
        "name": summary_population.name,
        "size": summary_population.size,
        "summary_rate_hz": _finite_or_none(summary_population.rate_hz),
        "summary_cv_isi": _finite_or_none(summary_population.cv_isi),
        "rates_file_mean_hz": _finite_or_none(rate_trace.mean_rate_hz) if rate_trace else None,
    }
    if statistics is not None:
        record.update({
            "spike_count": statistics.spike_count,
            "rate_hz": statistics.rate_hz,
            "cv_isi": _finite_or_none(statistics.cv_isi),
            "neurons_with_cv": statistics.neurons_with_cv,
            "silent_fraction": statistics.silent_fraction,
        })
    return record


def write_report_record(directory, run_dir, summary, inputs, populations, figures, raster, views, notes,
                        brain=None, assimilation=None):
    record = {
        "generator": GENERATOR,
        "format_version": FORMAT_VERSION,
        "run_dir": os.path.abspath(run_dir),
        "inputs": inputs,
        "recording": ({"start_ms": summary.warmup_ms, "duration_ms": summary.t_stop_ms, "dt_ms": summary.dt_ms}
                      if summary is not None else None),
        "populations": populations,
        "figures": [{"file": f.file, "title": f.title, "width_px": f.width_px, "height_px": f.height_px}
                    for f in figures],
        "raster": raster,
        "views": views,
        "brain": brain,
        "assimilation": assimilation,
        "notes": notes,
    }
    with open(os.path.join(directory, "report.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, allow_nan=False)
        f.write("\n")
