"""Checks of the brain and assimilation views of `dtb report` (report/):

- a synthetic brain bundle (brain.h5 written here with h5py) and spikes with
  known counts per neuron: the per-region and per-voxel rates in report.json
  equal an independent numpy computation; the bundle is found from
  summary.json's model file and with --brain;
- a synthetic assimilation.h5 (the layout assimilation_output.cpp writes):
  the FC correlations and BOLD correlations equal numpy.corrcoef, the
  hyperparameter finals and relative errors are those of the file;
- figures are valid PNGs of the stated size; report.html links only files
  that exist;
- missing or corrupt brain.h5 / assimilation.h5: exit 2, the file named,
  no report.html;
- with build/bin/dtb: a real brain bundle run, and a real twin assimilation."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_report as base  # noqa: E402  (shared helpers: spike/rate/summary writers, PNG reader)

ARGS = None


def write_brain(path, count_e, count_i, centre, label, region_names=None):
    with h5py.File(path, "w") as f:
        v = f.create_group("voxels")
        v.create_dataset("count_e", data=np.asarray(count_e, dtype=np.uint64))
        v.create_dataset("count_i", data=np.asarray(count_i, dtype=np.uint64))
        v.create_dataset("centre_mm", data=np.asarray(centre, dtype=np.float64))
        v.create_dataset("label", data=np.asarray(label, dtype=np.int64))
        v.attrs["voxel_mm"] = 6.0
        if region_names:
            r = f.create_group("regions")
            r.create_dataset("label", data=np.array(sorted(region_names), dtype=np.int64))
            r.create_dataset("name", data=[region_names[k] for k in sorted(region_names)],
                             dtype=h5py.string_dtype())


def check_figures_and_links(test, out):
    record = base.load_record(out)
    for figure in record["figures"]:
        size = base.read_png_size(os.path.join(out, figure["file"]))
        test.assertEqual(size, (figure["width_px"], figure["height_px"]), figure["file"])
    page = base.page_links(out)
    for link in page.links:
        test.assertTrue(os.path.isfile(os.path.join(out, link)), link)
    images = {i["src"]: (int(i["width"]), int(i["height"])) for i in page.images}
    test.assertEqual(images, {f["file"]: (f["width_px"], f["height_px"]) for f in record["figures"]})
    return record


class BrainView(unittest.TestCase):
    T_STOP_MS = 400.0

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-report-brain-")
        rng = np.random.default_rng(5)
        cls.count_e = np.array([8, 0, 5, 12, 7, 3])
        cls.count_i = np.array([2, 3, 1, 3, 2, 1])
        cls.label = np.array([4, 4, 9, 9, 9, 17])       # voxels ordered by label
        cls.centre = rng.uniform(-60, 60, size=(6, 3))
        bundle = os.path.join(cls.tmp, "bundle")
        os.makedirs(bundle)
        write_brain(os.path.join(bundle, "brain.h5"), cls.count_e, cls.count_i, cls.centre, cls.label,
                    {4: "Alpha", 9: "Beta", 17: "Gamma"})
        with open(os.path.join(bundle, "model.yaml"), "w") as f:
            f.write("simulation: {dt_ms: 0.1, t_stop_ms: 400}\nbrain: {arrays: brain.h5}\npopulations: []\n")
        cls.sizes = {"E": int(cls.count_e.sum()), "I": int(cls.count_i.sum())}
        spikes = {}
        cls.neuron_counts = {}
        for name, size in cls.sizes.items():
            per_neuron = rng.integers(0, 9, size)
            cls.neuron_counts[name] = per_neuron
            ids = np.repeat(np.arange(size), per_neuron)
            times = np.concatenate([np.sort(rng.choice(3999, n, replace=False) + 1) * 0.1
                                    for n in per_neuron]) if ids.size else np.zeros(0)
            order = np.lexsort((ids, times))
            spikes[name] = (times[order], ids[order])
        cls.run_dir = base.write_run(os.path.join(cls.tmp, "run"), cls.sizes, spikes, cls.T_STOP_MS)
        with open(os.path.join(cls.run_dir, "summary.json")) as f:
            summary = json.load(f)
        summary["model"] = "bundle/model.yaml"  # relative to where dtb ran: the run's parent
        with open(os.path.join(cls.run_dir, "summary.json"), "w") as f:
            json.dump(summary, f)
        r = base.run_report(cls.run_dir)
        assert r.returncode == 0, r.stderr
        cls.out = os.path.join(cls.run_dir, "report")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def expected(self):
        seconds = self.T_STOP_MS * 1e-3
        voxel_spikes, neurons = [], self.count_e + self.count_i
        for name, counts in (("E", self.count_e), ("I", self.count_i)):
            per_neuron = self.neuron_counts[name]
            owner = np.repeat(np.arange(counts.size), counts)      # neuron -> voxel, independently
            voxel_spikes.append(np.bincount(owner, weights=per_neuron, minlength=counts.size))
        total = voxel_spikes[0] + voxel_spikes[1]
        regions = {}
        for lab in np.unique(self.label):
            m = self.label == lab
            regions[int(lab)] = (total[m].sum() / (neurons[m].sum() * seconds),
                                 voxel_spikes[0][m].sum() / (self.count_e[m].sum() * seconds),
                                 voxel_spikes[1][m].sum() / (self.count_i[m].sum() * seconds))
        return total / (neurons * seconds), regions

    def test_region_and_voxel_rates_equal_an_independent_computation(self):
        record = base.load_record(self.out)
        voxel_rate, regions = self.expected()
        brain = record["brain"]
        self.assertEqual([r["label"] for r in brain["regions"]], [4, 9, 17])
        self.assertEqual([r["name"] for r in brain["regions"]], ["Alpha", "Beta", "Gamma"])
        for r in brain["regions"]:
            rate, rate_e, rate_i = regions[r["label"]]
            self.assertAlmostEqual(r["rate_hz"], rate, places=12)
            self.assertAlmostEqual(r["rate_e_hz"], rate_e, places=12)
            self.assertAlmostEqual(r["rate_i_hz"], rate_i, places=12)
        np.testing.assert_allclose(brain["voxel_rate_hz"], voxel_rate, rtol=1e-12)
        self.assertEqual(record["views"], ["brain"])

    def test_figures_are_pngs_of_the_stated_size_and_links_exist(self):
        record = check_figures_and_links(self, self.out)
        files = [f["file"] for f in record["figures"]]
        self.assertEqual(files, base.EXPECTED_FIGURES + ["region_rates.png", "glass_brain.png"])
        sizes = {f["file"]: (f["width_px"], f["height_px"]) for f in record["figures"]}
        self.assertEqual(sizes["region_rates.png"], (1200, 500))
        self.assertEqual(sizes["glass_brain.png"], (1500, 520))

    def test_explicit_brain_option_and_bad_brain_files(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-brain-bad-")
        self.addCleanup(shutil.rmtree, tmp, True)
        run = os.path.join(tmp, "run")
        shutil.copytree(self.run_dir, run, ignore=shutil.ignore_patterns("report"))
        # The model cannot be found from here: a note, no brain view; --brain gives it.
        r = base.run_report(run)
        self.assertEqual(r.returncode, 0, r.stderr)
        record = base.load_record(os.path.join(run, "report"))
        self.assertIsNone(record["brain"])
        self.assertTrue(any("--brain" in n for n in record["notes"]))
        brain = os.path.join(self.tmp, "bundle", "brain.h5")
        r = base.run_report(run, "--brain", brain)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(base.load_record(os.path.join(run, "report"))["brain"]["regions"],
                         base.load_record(self.out)["brain"]["regions"])
        # Corrupt, missing, inconsistent: exit 2, the file named, no report left.
        cases = []
        corrupt = os.path.join(tmp, "corrupt.h5")
        with open(corrupt, "wb") as f:
            f.write(b"not hdf5 at all")
        cases.append(corrupt)
        cases.append(os.path.join(tmp, "missing.h5"))
        wrong = os.path.join(tmp, "wrong.h5")
        write_brain(wrong, self.count_e + 1, self.count_i, self.centre, self.label)
        cases.append(wrong)
        no_label = os.path.join(tmp, "nolabel.h5")
        write_brain(no_label, self.count_e, self.count_i, self.centre, self.label)
        with h5py.File(no_label, "a") as f:
            del f["voxels/label"]
        cases.append(no_label)
        for bad in cases:
            r = base.run_report(run, "--brain", bad)
            self.assertEqual(r.returncode, 2, bad + r.stderr)
            self.assertIn(bad, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()[-1:]), 1)
            self.assertFalse(os.path.exists(os.path.join(run, "report", "report.html")), bad)


# ---------------------------------------------------------------- assimilation

def write_assimilation(path, bold, tr_ms, warmup_trs, hyper):
    """bold: {series: [regions x TRs]}; hyper: {name: dict of [TRs x voxels] arrays, truth, low, high}."""
    with h5py.File(path, "w") as f:
        for series, values in bold.items():
            f.create_dataset(f"/bold/{series}", data=values)
        f["bold"].attrs["tr_ms"] = tr_ms
        f["bold"].attrs["warmup_trs"] = float(warmup_trs)
        for name, h in hyper.items():
            g = f.create_group(f"/hyperparameters/{name}")
            for key in ("forecast_mean", "forecast_spread", "analysis_mean", "analysis_spread", "truth"):
                if key in h:
                    g.create_dataset(key, data=h[key])
            g.attrs["low"] = h["low"]
            g.attrs["high"] = h["high"]


class AssimilationView(unittest.TestCase):
    REGIONS, TRS, WARMUP = 8, 30, 3

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-report-assim-")
        rng = np.random.default_rng(11)
        shared = rng.normal(size=(1, cls.TRS))
        cls.bold = {s: rng.normal(size=(cls.REGIONS, cls.TRS)) + shared * rng.uniform(0, 2, (cls.REGIONS, 1))
                    for s in ("observed", "forecast", "analysis", "replay")}
        mean = rng.uniform(1, 2, size=(cls.TRS, cls.REGIONS))
        mean[:, 5] = np.nan  # not estimated
        cls.hyper = {"g_ampa_E": {"forecast_mean": mean * 1.01, "forecast_spread": np.abs(mean) * 0.1,
                                  "analysis_mean": mean, "analysis_spread": np.abs(mean) * 0.05,
                                  "truth": np.full(cls.REGIONS, 1.5), "low": 0.5, "high": 3.0}}
        cls.run_dir = os.path.join(cls.tmp, "assim")
        os.makedirs(cls.run_dir)
        write_assimilation(os.path.join(cls.run_dir, "assimilation.h5"), cls.bold, 800.0, cls.WARMUP, cls.hyper)
        with open(os.path.join(cls.run_dir, "summary.json"), "w") as f:
            json.dump({"config": "c.yaml", "model": "m.yaml", "members": 4, "trs": cls.TRS, "regions": cls.REGIONS,
                       "tr_ms": 800.0, "warmup_trs": cls.WARMUP, "twin": True}, f)
        r = base.run_report(cls.run_dir)
        assert r.returncode == 0, r.stderr
        cls.out = os.path.join(cls.run_dir, "report")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_fc_and_bold_correlations_equal_numpy(self):
        a = base.load_record(self.out)["assimilation"]
        observed = self.bold["observed"][:, self.WARMUP:]
        upper = np.triu_indices(self.REGIONS, k=1)
        fc_observed = np.corrcoef(observed)[upper]
        for series in ("forecast", "analysis", "replay"):
            simulated = self.bold[series][:, self.WARMUP:]
            expected_fc = np.corrcoef(fc_observed, np.corrcoef(simulated)[upper])[0, 1]
            self.assertAlmostEqual(a["fc_corr"][series], expected_fc, places=12)
            expected_bold = np.mean([np.corrcoef(observed[r], simulated[r])[0, 1] for r in range(self.REGIONS)])
            self.assertAlmostEqual(a["bold_corr"][series], expected_bold, places=12)
        self.assertEqual(a["compared_trs"], self.TRS - self.WARMUP)
        self.assertEqual(a["plotted_regions"], [0, 1, 3, 4, 6, 7])

    def test_hyperparameter_finals(self):
        h = base.load_record(self.out)["assimilation"]["hyperparameters"][0]
        estimated = [0, 1, 2, 3, 4, 6, 7]
        self.assertEqual(h["name"], "g_ampa_E")
        self.assertEqual(h["estimated_voxels"], estimated)
        final = self.hyper["g_ampa_E"]["analysis_mean"][-1]
        np.testing.assert_allclose(h["final_mean"], final[estimated], rtol=1e-15)
        np.testing.assert_allclose(h["rel_error"], np.abs(final[estimated] - 1.5) / 1.5, rtol=1e-12)
        self.assertEqual((h["low"], h["high"]), (0.5, 3.0))

    def test_figures_are_pngs_of_the_stated_size_and_links_exist(self):
        record = check_figures_and_links(self, self.out)
        sizes = {f["file"]: (f["width_px"], f["height_px"]) for f in record["figures"]}
        self.assertEqual(sizes, {"bold_fit.png": (1200, 700), "fc_matrices.png": (1200, 560),
                                 "hyperparameters.png": (1200, 320)})
        self.assertEqual(record["views"], ["assimilation"])

    def test_missing_or_corrupt_assimilation_file(self):
        tmp = tempfile.mkdtemp(prefix="dtb-report-assim-bad-")
        self.addCleanup(shutil.rmtree, tmp, True)
        run = os.path.join(tmp, "run")
        shutil.copytree(self.run_dir, run, ignore=shutil.ignore_patterns("report"))
        path = os.path.join(run, "assimilation.h5")

        def expect_failure(*words):
            r = base.run_report(run)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(path, r.stderr)
            for word in words:
                self.assertIn(word, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(run, "report", "report.html")))

        os.remove(path)
        expect_failure("not found")
        with open(path, "wb") as f:
            f.write(b"\x89HDF garbage")
        expect_failure("HDF5")
        with h5py.File(path, "w"):
            pass
        expect_failure("/bold")
        write_assimilation(path, {k: v for k, v in self.bold.items() if k != "replay"}, 800.0, 0, {})
        expect_failure("/bold/replay")
        bad = dict(self.hyper["g_ampa_E"])
        bad["analysis_mean"] = bad["analysis_mean"][:-1]
        write_assimilation(path, self.bold, 800.0, 0, {"g_ampa_E": bad})
        expect_failure("analysis_mean")


# ---------------------------------------------------------------- real runs

def dtb_available():
    return ARGS.dtb and os.path.isfile(ARGS.dtb) and os.access(ARGS.dtb, os.X_OK)


class RealRuns(unittest.TestCase):
    def setUp(self):
        if not dtb_available():
            self.skipTest(f"{ARGS.dtb} is not built")
        self.tmp = tempfile.mkdtemp(prefix="dtb-report-views-real-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_dtb(self, *args, timeout=120):
        r = subprocess.run([ARGS.dtb, *args], capture_output=True, text=True, timeout=timeout, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        return r

    def test_brain_bundle_run(self):
        atlas = "/usr/share/mricron/templates/aal.nii.gz"
        if not os.path.isfile(atlas):
            self.skipTest(f"{atlas} is not installed")
        self.run_dtb("build-brain", "--atlas", atlas, "--regions", "--neurons", "5000", "--in-degree", "20",
                     "--out", "B")
        self.run_dtb("run", "B/model.yaml", "--t-stop", "100", "--out", "R")
        run = os.path.join(self.tmp, "R")
        r = base.run_report(run)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(run, "report")
        record = check_figures_and_links(self, out)
        brain = record["brain"]
        with open(os.path.join(run, "summary.json")) as f:
            summary = json.load(f)
        with h5py.File(os.path.join(self.tmp, "B", "brain.h5")) as f:
            labels = np.unique(f["voxels/label"][()])
            neurons = f["voxels/count_e"][()].astype(np.int64) + f["voxels/count_i"][()].astype(np.int64)
        self.assertEqual([r["label"] for r in brain["regions"]], labels.tolist())
        self.assertEqual(sum(r["spike_count"] for r in brain["regions"]), summary["spike_count"])
        self.assertEqual(sum(r["neurons"] for r in brain["regions"]), int(neurons.sum()))
        total = sum(r["rate_hz"] * r["neurons"] for r in brain["regions"]) / neurons.sum()
        self.assertAlmostEqual(total, summary["spike_count"] / (summary["neurons"] * 0.1), places=9)

    def test_twin_assimilation(self):
        config = os.path.join(ARGS.source_dir, "examples", "twin", "config.yaml")
        self.run_dtb("assimilate", config, "--out", "T", "--trs", "3", "--members", "4", timeout=180)
        run = os.path.join(self.tmp, "T")
        r = base.run_report(run)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(run, "report")
        record = check_figures_and_links(self, out)
        a = record["assimilation"]
        with open(os.path.join(run, "summary.json")) as f:
            summary = json.load(f)
        for series in ("forecast", "analysis", "replay"):
            if isinstance(summary.get(f"{series}_fc_corr"), float):
                self.assertAlmostEqual(a["fc_corr"][series], summary[f"{series}_fc_corr"], places=6)
            if isinstance(summary.get(f"{series}_bold_corr"), float):
                self.assertAlmostEqual(a["bold_corr"][series], summary[f"{series}_bold_corr"], places=6)
        h = a["hyperparameters"][0]
        np.testing.assert_allclose(h["final_mean"], summary["hyperparameters"][h["name"]]["final_mean"],
                                   rtol=1e-12)
        self.assertEqual([f["file"] for f in record["figures"]],
                         ["bold_fit.png", "fc_matrices.png", "hyperparameters.png"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.dtb = os.path.abspath(ARGS.dtb)
    ARGS.source_dir = os.path.abspath(ARGS.source_dir)
    base.ARGS = ARGS
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
