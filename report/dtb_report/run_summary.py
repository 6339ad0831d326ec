"""summary.json of a run (written by `dtb run`): the fields the report needs,
checked, plus the whole record for the summary table."""
import json
import math
from dataclasses import dataclass, field

from .input_error import InputError


@dataclass
class PopulationSummary:
    name: str
    size: int
    rate_hz: object = None  # as dtb run reported it, or None
    cv_isi: object = None


@dataclass
class RunSummary:
    path: str
    t_stop_ms: float
    warmup_ms: float
    dt_ms: object
    populations: list
    record: dict = field(default_factory=dict)

    def population_names(self):
        return [p.name for p in self.populations]


def _number(path, record, key, default=None, positive=False):
    value = record.get(key, default)
    if value is None:
        if default is None:
            raise InputError(path, "is missing (a number is required)", where=f"field '{key}'")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(path, f"is {value!r}, expected a finite number", where=f"field '{key}'")
    if value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise InputError(path, f"is {value}, expected {bound}", where=f"field '{key}'")
    return float(value)


def _population(path, index, item):
    where = f"field 'populations[{index}]'"
    if not isinstance(item, dict):
        raise InputError(path, "is not an object with name and size", where=where)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(path, "has no name (a non-empty string is required)", where=where)
    size = item.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise InputError(path, f"size is {size!r}, expected an integer > 0", where=f"{where} ('{name}')")
    rate = item.get("rate_hz")
    cv = item.get("cv_isi")
    return PopulationSummary(name=name, size=size,
                             rate_hz=rate if isinstance(rate, (int, float)) else None,
                             cv_isi=cv if isinstance(cv, (int, float)) else None)


def load_summary_record(path):
    """summary.json as a JSON object; raises InputError naming the file."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError(path, "not found (every run writes summary.json; is this a dtb run directory?)")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, f"cannot be read ({e})")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})")
    if not isinstance(record, dict):
        raise InputError(path, "is not a JSON object")
    return record


def read_run_summary(path, record=None):
    """Loads and checks the summary.json of `dtb run`; raises InputError naming the file."""
    if record is None:
        record = load_summary_record(path)
    items = record.get("populations")
    if not isinstance(items, list) or not items:
        raise InputError(path, "is missing or empty (a list of {name, size} is required)",
                         where="field 'populations'")
    populations = [_population(path, i, item) for i, item in enumerate(items)]
    names = [p.name for p in populations]
    for name in names:
        if names.count(name) > 1:
            raise InputError(path, f"population '{name}' appears twice", where="field 'populations'")

    t_stop_ms = _number(path, record, "t_stop_ms", positive=True)
    warmup_ms = _number(path, record, "warmup_ms", default=0.0)
    dt_ms = record.get("dt_ms")
    if dt_ms is not None:
        dt_ms = _number(path, record, "dt_ms", positive=True)
    return RunSummary(path=str(path), t_stop_ms=t_stop_ms, warmup_ms=warmup_ms, dt_ms=dt_ms,
                      populations=populations, record=record)
