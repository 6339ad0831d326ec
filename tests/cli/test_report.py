"""Checks of `dtb report` and the dtb_report package behind it (report/):

- on synthetic run directories with known spikes (written here with h5py),
  the rates and ISI CVs in report.json equal an independent computation;
- every figure is a valid PNG of the size report.json and report.html state,
  and report.html references only files that exist;
- a spike file of 10^7 spikes over 10^6 neurons is reported in bounded memory;
- missing or corrupt inputs give one message naming the file, exit code 2,
  and leave no report.html;
- the FC-correlation helper agrees with numpy.corrcoef;
- `dtb run` on a tiny model, then `dtb report` (skipped until the dtb
  executable has the `report` subcommand).
The brain and assimilation views: test_report_views.py."""
import argparse
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

import h5py
import numpy as np

ARGS = None
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype=np.int8)
EXPECTED_FIGURES = ["raster.png", "rates.png", "isi_cv.png", "rate_histogram.png"]

# Runs its arguments as a child and prints the child's peak RSS (KiB, from
# getrusage(RUSAGE_CHILDREN)), its wall time and its exit code.
PEAK_RSS_PROBE = """
import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - start, code)
"""

TINY_MODEL = """
simulation: {dt_ms: 0.1, t_stop_ms: 300, seed: 3, record: {rate_bin_ms: 5}}
populations:
  - {name: E, size: 200, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}
  - {name: I, size: 50, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 20, weight: 80, delay_ms: 1.5}
  - {source: E, target: I, rule: fixed_indegree, indegree: 20, weight: 80, delay_ms: 1.5}
  - {source: I, target: E, rule: fixed_indegree, indegree: 5, weight: -320, delay_ms: 0.8}
  - {source: I, target: I, rule: fixed_indegree, indegree: 5, weight: -320, delay_ms: 0.8}
inputs:
  - {name: ext, targets: [E, I], kind: poisson, rate_hz: 10, count: 1800, weight: 80}
"""


# ---------------------------------------------------------------- synthetic runs

def write_spike_file(path, sizes, spikes, sorting="by_time"):
    """spikes: {population: (times ms, ids)}, written as dtb run writes them."""
    with h5py.File(path, "w") as f:
        f.attrs.create("magic", 0x0A7A, dtype=np.uint32)
        f.attrs.create("version", np.array([0, 1], dtype=np.uint32))
        group = f.create_group("spikes")
        for name in sizes:
            times, ids = spikes[name]
            pop = group.create_group(name)
            pop.create_dataset("timestamps", data=np.asarray(times, dtype=np.float64))
            pop.create_dataset("node_ids", data=np.asarray(ids, dtype=np.uint64))
            pop["timestamps"].attrs["units"] = "ms"
            pop.attrs.create("sorting", {"none": 0, "by_id": 1, "by_time": 2}[sorting], dtype=SORTING)


def binned_rates(times, size, start_ms, t_stop_ms, bin_ms):
    bins = int(np.ceil(t_stop_ms / bin_ms - 1e-9))
    index = np.minimum(((np.asarray(times) - start_ms - 1e-9) // bin_ms).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins).astype(np.float64)
    widths = np.full(bins, bin_ms)
    widths[-1] = t_stop_ms - (bins - 1) * bin_ms
    return counts / (size * widths * 1e-3)


def write_rate_file(path, sizes, spikes, start_ms, t_stop_ms, bin_ms):
    with h5py.File(path, "w") as f:
        group = f.create_group("rates")
        group.attrs["bin_ms"] = bin_ms
        group.attrs["t_start_ms"] = 0.0
        for name, size in sizes.items():
            group.create_dataset(name, data=binned_rates(spikes[name][0], size, start_ms, t_stop_ms, bin_ms))
            group[name].attrs["size"] = size


def write_summary(path, sizes, t_stop_ms, dt_ms, warmup_ms, spikes):
    total = sum(len(spikes[n][0]) for n in sizes) if spikes else 0
    record = {"model": "synthetic.yaml", "neurons": sum(sizes.values()), "synapses": 0, "dt_ms": dt_ms,
              "t_stop_ms": t_stop_ms, "warmup_ms": warmup_ms, "seed": 1, "ranks": 1, "backend": "Serial",
              "build_s": 0.1, "sim_s": 0.2, "rtf": 0.2 / (t_stop_ms * 1e-3), "synapse_bytes": 0,
              "bytes_per_synapse": 0.0, "peak_rss_bytes": 1, "spike_count": total,
              "spikes_digest": "0" * 16,
              "populations": [{"name": n, "size": s, "rate_hz": None, "cv_isi": None} for n, s in sizes.items()]}
    with open(path, "w") as f:
        json.dump(record, f)


def write_run(directory, sizes, spikes, t_stop_ms, dt_ms=0.1, warmup_ms=0.0, bin_ms=5.0, with_spikes=True):
    os.makedirs(directory, exist_ok=True)
    if with_spikes:
        write_spike_file(os.path.join(directory, "spikes.h5"), sizes, spikes)
    write_rate_file(os.path.join(directory, "rates.h5"), sizes, spikes, warmup_ms, t_stop_ms, bin_ms)
    write_summary(os.path.join(directory, "summary.json"), sizes, t_stop_ms, dt_ms, warmup_ms, spikes)
    return directory


def known_spikes(rng, size, t_stop_ms, dt_ms, warmup_ms):
    """Time-sorted spikes on the dt grid, with every kind of neuron the
    statistics must handle: silent, one spike, one ISI, regular (CV 0),
    Poisson-like at various rates, bursty."""
    steps = int(round(t_stop_ms / dt_ms))
    trains = []
    for neuron in range(size):
        kind = neuron % 6
        if kind == 0:
            train = np.zeros(0, dtype=np.int64)
        elif kind == 1:
            train = rng.integers(0, steps, 1)
        elif kind == 2:
            train = rng.choice(steps, 2, replace=False)
        elif kind == 3:
            train = np.arange(neuron % 50, steps, 97 + neuron % 13)
        elif kind == 4:
            train = rng.choice(steps, rng.integers(3, 80), replace=False)
        else:
            starts = rng.choice(steps - 40, rng.integers(2, 8), replace=False)
            train = np.unique((starts[:, None] + np.arange(0, 40, 4)).ravel())
        trains.append((np.unique(train), neuron))
    step = np.concatenate([t for t, _ in trains])
    ids = np.concatenate([np.full(t.size, n) for t, n in trains])
    order = np.lexsort((ids, step))
    return warmup_ms + (step[order] + 1) * dt_ms, ids[order]


def independent_statistics(times, ids, size, t_stop_ms):
    """Per population: rate, mean CV over neurons with >= 2 ISIs, silent fraction."""
    cvs = []
    silent = 0
    for neuron in range(size):
        train = np.sort(times[ids == neuron])
        silent += train.size == 0
        isi = np.diff(train)
        if isi.size >= 2:
            cvs.append(isi.std() / isi.mean())
    return {"spike_count": int(times.size), "rate_hz": times.size / (size * t_stop_ms * 1e-3),
            "cv_isi": float(np.mean(cvs)) if cvs else None, "neurons_with_cv": len(cvs),
            "silent_fraction": silent / size}


# ---------------------------------------------------------------- running the report

def report_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ARGS.source_dir, "report")
    return env


def run_report(run_dir, *extra, timeout=300):
    return subprocess.run([PYTHON, "-m", "dtb_report", run_dir, *extra], capture_output=True, text=True,
                          env=report_env(), timeout=timeout)


def load_record(out_dir):
    with open(os.path.join(out_dir, "report.json")) as f:
        return json.load(f)


def read_png_size(path):
    """(width, height) from a PNG's IHDR, after checking the signature, every
    chunk's CRC and the closing IEND chunk."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path}: not a PNG signature")
    offset, chunks = 8, []
    while offset < len(data):
        if offset + 12 > len(data):
            raise AssertionError(f"{path}: truncated chunk at byte {offset}")
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise AssertionError(f"{path}: bad CRC in chunk {kind!r}")
        chunks.append((kind, body))
        offset += 12 + length
    if chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise AssertionError(f"{path}: chunks {chunks[0][0]!r}..{chunks[-1][0]!r}, expected IHDR..IEND")
    if not any(kind == b"IDAT" for kind, _ in chunks):
        raise AssertionError(f"{path}: no image data")
    width, height = struct.unpack(">II", chunks[0][1][:8])
    return width, height


class PageLinks(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.images = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.links.append(attrs[key])
        if tag == "img":
            self.images.append(attrs)


def page_links(out_dir):
    parser = PageLinks()
    with open(os.path.join(out_dir, "report.html"), encoding="utf-8") as f:
        parser.feed(f.read())
    return parser


def dtb_has_report_subcommand():
    r = subprocess.run([ARGS.dtb, "--help"], capture_output=True, text=True, timeout=60)
    return any(line.split()[:1] == ["report"] for line in (r.stdout + r.stderr).splitlines())


# ---------------------------------------------------------------- tests

class KnownSpikes(unittest.TestCase):
    """A synthetic run with known spikes, reported twice: in one block and in
    blocks of 7 spikes (so every neuron's ISIs straddle block boundaries)."""

    SIZES = {"E": 120, "I": 30}
    T_STOP_MS = 500.0
    WARMUP_MS = 50.0

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-report-known-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        rng = np.random.default_rng(7)
        cls.spikes = {n: known_spikes(rng, s, cls.T_STOP_MS, 0.1, cls.WARMUP_MS) for n, s in cls.SIZES.items()}
        cls.run_dir = write_run(os.path.join(cls.tmp, "run"), cls.SIZES, cls.spikes, cls.T_STOP_MS,
                                warmup_ms=cls.WARMUP_MS)
        cls.whole = run_report(cls.run_dir)
        cls.blocks = run_report(cls.run_dir, "--out", os.path.join(cls.tmp, "blocks"), "--block-spikes", "7")

    def test_report_succeeds_and_prints_the_page(self):
        for result in (self.whole, self.blocks):
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.whole.stdout.strip(), os.path.join(self.run_dir, "report", "report.html"))

    def test_rates_and_cvs_equal_an_independent_computation(self):
        for out in (os.path.join(self.run_dir, "report"), os.path.join(self.tmp, "blocks")):
            record = load_record(out)
            self.assertEqual([p["name"] for p in record["populations"]], list(self.SIZES))
            for p in record["populations"]:
                times, ids = self.spikes[p["name"]]
                expected = independent_statistics(times, ids, self.SIZES[p["name"]], self.T_STOP_MS)
                self.assertIsNotNone(expected["cv_isi"])
                self.assertEqual(p["spike_count"], expected["spike_count"])
                self.assertEqual(p["neurons_with_cv"], expected["neurons_with_cv"])
                self.assertAlmostEqual(p["rate_hz"], expected["rate_hz"], places=10)
                self.assertAlmostEqual(p["cv_isi"], expected["cv_isi"], places=10)
                self.assertAlmostEqual(p["silent_fraction"], expected["silent_fraction"], places=12)
                # rates.h5 is read too: its time-weighted mean is the same rate.
                self.assertAlmostEqual(p["rates_file_mean_hz"], expected["rate_hz"], places=9)

    def test_figures_are_pngs_of_the_stated_size_and_the_page_links_only_existing_files(self):
        out = os.path.join(self.run_dir, "report")
        record = load_record(out)
        self.assertEqual([f["file"] for f in record["figures"]], EXPECTED_FIGURES)
        page = page_links(out)
        stated = {img["src"]: (int(img["width"]), int(img["height"])) for img in page.images}
        for figure in record["figures"]:
            size = read_png_size(os.path.join(out, figure["file"]))
            self.assertEqual(size, (figure["width_px"], figure["height_px"]), figure["file"])
            self.assertEqual(stated[figure["file"]], size, figure["file"])
        self.assertEqual(sorted(stated), sorted(EXPECTED_FIGURES))
        for link in page.links:
            self.assertNotIn("://", link, "the page must not load anything from the network")
            self.assertTrue(os.path.isfile(os.path.join(out, link)), f"report.html references missing {link}")
        # Nothing staged is left next to the report.
        self.assertEqual(sorted(os.listdir(self.run_dir)), ["rates.h5", "report", "spikes.h5", "summary.json"])

    def test_raster_samples_every_neuron_of_a_small_population(self):
        record = load_record(os.path.join(self.run_dir, "report"))
        self.assertEqual(record["raster"]["sampled_neurons"], self.SIZES)
        self.assertEqual(record["raster"]["window_ms"], [self.WARMUP_MS, self.WARMUP_MS + self.T_STOP_MS])
        for name, (times, _) in self.spikes.items():
            self.assertEqual(record["raster"]["points"][name], times.size)

    def test_an_earlier_report_is_replaced(self):
        out = os.path.join(self.tmp, "again")
        self.assertEqual(run_report(self.run_dir, "--out", out).returncode, 0)
        with open(os.path.join(out, "marker"), "w") as f:
            f.write("from the earlier report")
        r = run_report(self.run_dir, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "marker")))
        self.assertTrue(os.path.isfile(os.path.join(out, "report.html")))


class ManyPopulations(unittest.TestCase):
    def test_twenty_populations_give_a_heat_map_and_a_pooled_panel_of_the_stated_sizes(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-many-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rng = np.random.default_rng(3)
        sizes = {f"region{i:02d}_{'E' if i % 2 == 0 else 'I'}": 12 + i for i in range(20)}
        spikes = {n: known_spikes(rng, s, 200.0, 0.1, 0.0) for n, s in sizes.items()}
        run_dir = write_run(os.path.join(tmp, "run"), sizes, spikes, 200.0, bin_ms=1.0)
        r = run_report(run_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(run_dir, "report")
        record = load_record(out)
        for figure in record["figures"]:
            self.assertEqual(read_png_size(os.path.join(out, figure["file"])),
                             (figure["width_px"], figure["height_px"]))
        # 16 panels in 4 rows: the pooled panel is the 16th.
        cv = next(f for f in record["figures"] if f["file"] == "isi_cv.png")
        self.assertEqual(cv["height_px"], 50 + 4 * 240)
        for p in record["populations"]:
            times, ids = spikes[p["name"]]
            expected = independent_statistics(times, ids, sizes[p["name"]], 200.0)
            self.assertAlmostEqual(p["cv_isi"], expected["cv_isi"], places=10)


class BusyRaster(unittest.TestCase):
    def test_a_busy_run_gets_a_shorter_raster_window_with_every_sampled_spike_in_it(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-busy-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rng = np.random.default_rng(9)
        size, steps = 700, 10_000  # 1 s at 0.1 ms, about 300 Hz: 210,000 spikes
        neuron, step = np.nonzero(rng.random((size, steps)) < 0.03)
        order = np.lexsort((neuron, step))
        times, ids = (step[order] + 1) * 0.1, neuron[order]
        run_dir = write_run(os.path.join(tmp, "run"), {"busy": size}, {"busy": (times, ids)}, 1000.0)
        r = run_report(run_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(run_dir, "report")
        raster = load_record(out)["raster"]
        start, stop = raster["window_ms"]
        self.assertEqual(start, 0.0)
        self.assertLess(stop, 1000.0, "the raster should show only part of so busy a recording")
        self.assertGreater(stop, 300.0)
        sampled = np.array(raster["sampled_ids"]["busy"])
        self.assertEqual(sampled.size, 600)
        self.assertEqual(np.unique(sampled).size, sampled.size)
        in_window = np.isin(ids, sampled) & (times > start) & (times <= stop)
        self.assertEqual(raster["points"]["busy"], int(np.count_nonzero(in_window)))
        self.assertLess(raster["points"]["busy"], 200_000)
        with open(os.path.join(out, "report.html")) as f:
            self.assertIn("Only the first", f.read())


class WithoutSpikeFile(unittest.TestCase):
    def test_a_run_without_spikes_h5_reports_rates_only_and_says_why(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-nospikes-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rng = np.random.default_rng(5)
        sizes = {"E": 40}
        spikes = {"E": known_spikes(rng, 40, 100.0, 0.1, 0.0)}
        run_dir = write_run(os.path.join(tmp, "run"), sizes, spikes, 100.0, with_spikes=False)
        r = run_report(run_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        record = load_record(os.path.join(run_dir, "report"))
        self.assertEqual([f["file"] for f in record["figures"]], ["rates.png"])
        self.assertIsNone(record["inputs"]["spikes"])
        self.assertTrue(any("spikes.h5" in note for note in record["notes"]))
        self.assertAlmostEqual(record["populations"][0]["rates_file_mean_hz"],
                               spikes["E"][0].size / (40 * 0.1), places=9)

    def test_an_empty_assimilation_file_is_bad_input_not_a_pending_view(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-assim-empty-")
        self.addCleanup(shutil.rmtree, tmp, True)
        sizes = {"E": 10}
        spikes = {"E": (np.array([1.0, 2.0]), np.array([0, 1]))}
        run_dir = write_run(os.path.join(tmp, "run"), sizes, spikes, 10.0, bin_ms=1.0)
        with h5py.File(os.path.join(run_dir, "assimilation.h5"), "w"):
            pass
        r = run_report(run_dir)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(os.path.join(run_dir, "assimilation.h5"), r.stderr)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "report", "report.html")))


class LargeSpikeFile(unittest.TestCase):
    """10^7 spikes of 10^6 neurons (153 MiB of raw data) in bounded memory."""

    SIZES = {"E": 800_000, "I": 200_000}
    SPIKES = 10_000_000
    T_STOP_MS = 1000.0
    MAX_RSS_MIB = 400

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-report-large-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        rng = np.random.default_rng(11)
        run_dir = os.path.join(cls.tmp, "run")
        os.makedirs(run_dir)
        steps = int(cls.T_STOP_MS / 0.1)
        per_population = {"E": cls.SPIKES * 4 // 5, "I": cls.SPIKES // 5}
        cls.counts = {}
        with h5py.File(os.path.join(run_dir, "spikes.h5"), "w") as f:
            f.attrs.create("magic", 0x0A7A, dtype=np.uint32)
            f.attrs.create("version", np.array([0, 1], dtype=np.uint32))
            for name, total in per_population.items():
                group = f.create_group(f"spikes/{name}")
                group.attrs.create("sorting", 2, dtype=SORTING)
                ts = group.create_dataset("timestamps", (total,), dtype=np.float64, chunks=(1 << 16,))
                ids = group.create_dataset("node_ids", (total,), dtype=np.uint64, chunks=(1 << 16,))
                counts = np.zeros(cls.SIZES[name], dtype=np.int64)
                pieces = 10
                for piece in range(pieces):
                    lo, hi = total * piece // pieces, total * (piece + 1) // pieces
                    step = np.sort(rng.integers(steps * piece // pieces, steps * (piece + 1) // pieces, hi - lo))
                    neuron = rng.integers(0, cls.SIZES[name], hi - lo)
                    ts[lo:hi] = (step + 1) * 0.1
                    ids[lo:hi] = neuron
                    counts += np.bincount(neuron, minlength=cls.SIZES[name])
                cls.counts[name] = counts
        # rates.h5 and summary.json: only their layout matters here.
        with h5py.File(os.path.join(run_dir, "rates.h5"), "w") as f:
            group = f.create_group("rates")
            group.attrs["bin_ms"] = 1.0
            group.attrs["t_start_ms"] = 0.0
            for name, size in cls.SIZES.items():
                group.create_dataset(name, data=np.full(1000, per_population[name] / (size * 1.0)))
        write_summary(os.path.join(run_dir, "summary.json"), cls.SIZES, cls.T_STOP_MS, 0.1, 0.0, None)
        cls.run_dir = run_dir
        # Measure the report alone: a child of a fresh interpreter, whose
        # RUSAGE_CHILDREN then holds only the report's peak RSS.
        measured = subprocess.run([PYTHON, "-c", PEAK_RSS_PROBE, PYTHON, "-m", "dtb_report", run_dir, "--quiet"],
                                  capture_output=True, text=True, env=report_env(), timeout=600)
        cls.probe = measured
        fields = measured.stdout.split()
        if len(fields) < 3:
            raise AssertionError(f"the memory probe failed: {measured.stdout}{measured.stderr}")
        cls.peak_rss_mib = int(fields[-3]) / 1024.0
        cls.seconds = float(fields[-2])
        cls.returncode = int(fields[-1])
        # The same interpreter with the report's libraries loaded and no data.
        baseline = subprocess.run([PYTHON, "-c", PEAK_RSS_PROBE, PYTHON, "-c", "import dtb_report.report_builder"],
                                  capture_output=True, text=True, env=report_env(), timeout=120)
        cls.baseline_rss_mib = int(baseline.stdout.split()[-3]) / 1024.0

    def test_report_of_ten_million_spikes_stays_within_memory_bound(self):
        raw_mib = self.SPIKES * 16 / 2**20
        print(f"\n  10^7 spikes ({raw_mib:.0f} MiB raw): report peak RSS {self.peak_rss_mib:.0f} MiB, "
              f"{self.seconds:.1f} s; interpreter + libraries alone {self.baseline_rss_mib:.0f} MiB",
              file=sys.stderr)
        self.assertEqual(self.returncode, 0, self.probe.stdout + self.probe.stderr)
        # Holding the spike data whole would need at least the libraries plus
        # the raw data; streaming stays below that, and below a fixed cap.
        self.assertLess(self.peak_rss_mib, self.baseline_rss_mib + raw_mib,
                        f"peak RSS {self.peak_rss_mib:.0f} MiB: the spike file seems to be loaded whole")
        self.assertLess(self.peak_rss_mib, self.MAX_RSS_MIB)

    def test_counts_and_rates_of_the_large_file_are_exact(self):
        record = load_record(os.path.join(self.run_dir, "report"))
        for p in record["populations"]:
            counts = self.counts[p["name"]]
            self.assertEqual(p["spike_count"], int(counts.sum()))
            self.assertAlmostEqual(p["rate_hz"], counts.sum() / (counts.size * 1.0), places=9)
            self.assertAlmostEqual(p["silent_fraction"], float(np.mean(counts == 0)), places=12)
        # A readable raster: a few hundred rows, a bounded number of marks.
        raster = record["raster"]
        self.assertLessEqual(sum(raster["sampled_neurons"].values()), 700)
        self.assertLessEqual(sum(raster["points"].values()), 400_000)
        self.assertGreater(sum(raster["points"].values()), 1000)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dtb-report-bad-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.sizes = {"E": 20, "I": 5}
        spikes = {"E": (np.array([1.0, 2.0, 3.0]), np.array([0, 1, 0])), "I": (np.array([2.5]), np.array([4]))}
        self.run_dir = write_run(os.path.join(self.tmp, "run"), self.sizes, spikes, 10.0, bin_ms=1.0)
        self.out = os.path.join(self.tmp, "out")

    def expect_failure(self, file, *words, code=2):
        r = run_report(self.run_dir, "--out", self.out)
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        # Progress lines may come first; the error is one line.
        message = [line for line in r.stderr.splitlines() if "error" in line]
        self.assertEqual(len(message), 1, f"one clear message, got: {r.stderr}")
        self.assertIn(os.path.join(self.run_dir, file), message[0])
        for word in words:
            self.assertIn(word, message[0])
        self.assertFalse(os.path.exists(os.path.join(self.out, "report.html")))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".")], [], "staging left behind")
        return message[0]

    def test_missing_summary(self):
        os.remove(os.path.join(self.run_dir, "summary.json"))
        self.expect_failure("summary.json", "not found")

    def test_summary_not_json(self):
        with open(os.path.join(self.run_dir, "summary.json"), "w") as f:
            f.write('{"populations": [')
        self.expect_failure("summary.json", "not valid JSON")

    def test_summary_without_populations(self):
        with open(os.path.join(self.run_dir, "summary.json"), "w") as f:
            json.dump({"t_stop_ms": 10.0}, f)
        self.expect_failure("summary.json", "populations")

    def test_missing_rates(self):
        os.remove(os.path.join(self.run_dir, "rates.h5"))
        self.expect_failure("rates.h5", "not found")

    def test_truncated_rates(self):
        path = os.path.join(self.run_dir, "rates.h5")
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
        self.expect_failure("rates.h5")

    def test_spikes_not_hdf5(self):
        with open(os.path.join(self.run_dir, "spikes.h5"), "wb") as f:
            f.write(os.urandom(4096))
        self.expect_failure("spikes.h5", "not a readable HDF5 file")

    def test_spikes_without_node_ids(self):
        with h5py.File(os.path.join(self.run_dir, "spikes.h5"), "a") as f:
            del f["spikes/I/node_ids"]
        self.expect_failure("spikes.h5", "/spikes/I/node_ids", "missing")

    def test_spikes_with_a_node_id_beyond_the_population(self):
        with h5py.File(os.path.join(self.run_dir, "spikes.h5"), "a") as f:
            f["spikes/I/node_ids"][0] = 5
        self.expect_failure("spikes.h5", "node id 5", "'I'")

    def test_spikes_of_a_neuron_out_of_time_order(self):
        with h5py.File(os.path.join(self.run_dir, "spikes.h5"), "a") as f:
            f["spikes/E/timestamps"][:] = [3.0, 2.0, 1.0]
        self.expect_failure("spikes.h5", "/spikes/E", "neuron 0", "order")

    def test_failure_removes_an_earlier_report_in_the_same_place(self):
        self.assertEqual(run_report(self.run_dir, "--out", self.out).returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(self.out, "report.html")))
        os.remove(os.path.join(self.run_dir, "rates.h5"))
        self.expect_failure("rates.h5")
        self.assertFalse(os.path.exists(self.out))

    def test_a_directory_that_is_not_a_report_is_never_replaced(self):
        os.makedirs(self.out)
        keep = os.path.join(self.out, "precious.txt")
        with open(keep, "w") as f:
            f.write("user data")
        r = run_report(self.run_dir, "--out", self.out)
        self.assertEqual(r.returncode, 2)
        self.assertIn(self.out, r.stderr)
        self.assertIn("refusing", r.stderr)
        self.assertEqual(os.listdir(self.out), ["precious.txt"])
        r = run_report(self.run_dir, "--out", self.run_dir)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(os.path.isfile(os.path.join(self.run_dir, "spikes.h5")))

    def test_missing_run_directory(self):
        r = run_report(os.path.join(self.tmp, "nowhere"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(os.path.join(self.tmp, "nowhere"), r.stderr)


class FunctionalConnectivity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(ARGS.source_dir, "report"))
        from dtb_report import fc_correlation
        cls.fc = fc_correlation

    def test_fc_matrix_equals_numpy_corrcoef(self):
        rng = np.random.default_rng(1)
        mixing = rng.normal(size=(12, 12))
        bold = rng.normal(size=(300, 12)) @ mixing + 5.0
        np.testing.assert_allclose(self.fc.functional_connectivity(bold), np.corrcoef(bold, rowvar=False),
                                   rtol=0, atol=1e-12)

    def test_fc_correlation_equals_corrcoef_of_the_upper_triangles(self):
        rng = np.random.default_rng(2)
        shared = rng.normal(size=(200, 10))
        observed = shared + 0.5 * rng.normal(size=shared.shape)
        simulated = shared + 0.8 * rng.normal(size=shared.shape)
        fc_observed = np.corrcoef(observed, rowvar=False)
        fc_simulated = np.corrcoef(simulated, rowvar=False)
        upper = np.triu_indices(10, k=1)
        expected = np.corrcoef(fc_observed[upper], fc_simulated[upper])[0, 1]
        self.assertAlmostEqual(self.fc.fc_correlation(fc_observed, fc_simulated), expected, places=12)
        self.assertAlmostEqual(self.fc.bold_fc_correlation(observed, simulated), expected, places=12)
        self.assertAlmostEqual(self.fc.fc_correlation(fc_observed, fc_observed), 1.0, places=12)

    def test_constant_region_is_undefined_not_zero(self):
        rng = np.random.default_rng(3)
        bold = rng.normal(size=(50, 4))
        bold[:, 2] = 1.0
        fc = self.fc.functional_connectivity(bold)
        self.assertTrue(np.all(np.isnan(fc[2])) and np.all(np.isnan(fc[:, 2])))
        defined = [0, 1, 3]
        np.testing.assert_allclose(fc[np.ix_(defined, defined)],
                                   np.corrcoef(bold[:, defined], rowvar=False), atol=1e-12)
        other = rng.normal(size=(50, 4))
        value = self.fc.bold_fc_correlation(bold, other)
        upper = [(0, 1), (0, 3), (1, 3)]
        a = [fc[i, j] for i, j in upper]
        b_fc = np.corrcoef(other, rowvar=False)
        b = [b_fc[i, j] for i, j in upper]
        self.assertAlmostEqual(value, np.corrcoef(a, b)[0, 1], places=12)


class DtbRunThenReport(unittest.TestCase):
    def test_dtb_report_of_a_real_run(self):
        if not dtb_has_report_subcommand():
            self.skipTest(f"{ARGS.dtb} has no `report` subcommand yet (main.cpp wiring pending)")
        tmp = tempfile.mkdtemp(prefix="dtb-report-real-")
        self.addCleanup(shutil.rmtree, tmp, True)
        model = os.path.join(tmp, "net.yaml")
        with open(model, "w") as f:
            f.write(TINY_MODEL)
        run_dir = os.path.join(tmp, "run")
        r = subprocess.run([ARGS.dtb, "run", model, "--out", run_dir], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(tmp, "report")
        env = dict(os.environ)
        env.pop("DTB_REPORT_PATH", None)  # the compiled-in source location must work
        r = subprocess.run([ARGS.dtb, "report", run_dir, "--out", out], capture_output=True, text=True,
                           timeout=300, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        record = load_record(out)
        with open(os.path.join(run_dir, "summary.json")) as f:
            summary = json.load(f)
        self.assertGreater(summary["spike_count"], 0, "the tiny network should be active")
        self.assertEqual(sum(p["spike_count"] for p in record["populations"]), summary["spike_count"])
        for mine, theirs in zip(record["populations"], summary["populations"]):
            self.assertEqual(mine["name"], theirs["name"])
            self.assertAlmostEqual(mine["rate_hz"], theirs["rate_hz"], places=9)
            if theirs["cv_isi"] is None:
                self.assertIsNone(mine["cv_isi"])
            else:
                self.assertAlmostEqual(mine["cv_isi"], theirs["cv_isi"], places=9)
            self.assertAlmostEqual(mine["rates_file_mean_hz"], theirs["rate_hz"], places=9)
        self.assertEqual([f["file"] for f in record["figures"]], EXPECTED_FIGURES)
        for link in page_links(out).links:
            self.assertTrue(os.path.isfile(os.path.join(out, link)), link)

        # Bad input through the executable: exit code 2 and the file named.
        os.remove(os.path.join(run_dir, "summary.json"))
        r = subprocess.run([ARGS.dtb, "report", run_dir, "--out", os.path.join(tmp, "bad")],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(os.path.join(run_dir, "summary.json"), r.stderr)
        self.assertFalse(os.path.exists(os.path.join(tmp, "bad", "report.html")))

        # A package location that does not exist: a clear failure, not a hang.
        env["DTB_REPORT_PATH"] = os.path.join(tmp, "no-such-dir")
        r = subprocess.run([ARGS.dtb, "report", run_dir], capture_output=True, text=True, timeout=60, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no-such-dir", r.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
