"""End-to-end checks of `dtb assimilate` and `dtb simulate-bold` (issue 5;
docs/assimilation.md) on the twin experiment's tiny brain (examples/twin:
4 regions x 200 neurons):

- a twin experiment (6 members, 8 TRs of 500 ms, g_AMPA of E per region
  estimated from a broad prior) writes summary.json and assimilation.h5 with
  the documented layout; the final estimates are closer to the truth than the
  prior mean (mean relative error below the prior's and below 25 %), the
  forecast BOLD correlation is above 0.8, and the replay correlation is
  reported (asserted only to be a number in [-1, 1]);
- simulate-bold writes BOLD that assimilate reads back as observations;
- bad input (NaN in the BOLD, region count not matching the model, bounds
  with low >= high, BOLD not longer than the warm-up) gives exit code 2 and
  one message naming the file and field, and writes nothing.

Skipped as a whole while `dtb --help` lists no assimilate subcommand."""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ARGS = None

CONFIG = """model: {model}
tr_ms: 500
trs: 8
members: 6
rho: 0.8
seed: 3
{extra}
estimate:
  - quantity: g_ampa
    population: E
    low: {low}
    high: 0.008
    prior_low: 0.002
    prior_high: 0.006
    truth: [0.0032, 0.0040, 0.0046, 0.0036]
"""


class Assimilate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb_assimilate_")
        cls.model = os.path.join(ARGS.source_dir, "examples", "twin", "model.yaml")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self, name, extra="", low=0.001):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(CONFIG.format(model=self.model, extra=extra, low=low))
        return path

    def run_dtb(self, *args):
        return subprocess.run([ARGS.dtb, *args], capture_output=True, text=True, timeout=600)

    def test_twin_recovers_g_ampa(self):
        out = os.path.join(self.tmp, "twin")
        result = self.run_dtb("assimilate", self.config("twin.yaml"), "--out", out, "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        for key in ("members", "trs", "wall_s", "forecast_bold_corr", "analysis_bold_corr", "replay_bold_corr",
                    "replay_fc_corr", "param_rel_error", "forecast_fc_corr", "analysis_fc_corr"):
            self.assertIn(key, summary)
        self.assertEqual(summary["members"], 6)
        self.assertEqual(summary["trs"], 8)
        h = summary["hyperparameters"]["g_ampa_E"]
        sys.stderr.write("twin: param_rel_error %.3f (prior %.3f), forecast corr %.3f, analysis %.3f, "
                         "replay %.3f, replay FC %s, wall %.1f s\n" % (
                             summary["param_rel_error"], h["prior_rel_error"], summary["forecast_bold_corr"],
                             summary["analysis_bold_corr"], summary["replay_bold_corr"],
                             summary["replay_fc_corr"], summary["wall_s"]))
        self.assertLess(summary["param_rel_error"], h["prior_rel_error"])
        self.assertLess(summary["param_rel_error"], 0.25)
        self.assertGreater(summary["forecast_bold_corr"], 0.8)
        self.assertTrue(-1 <= summary["replay_bold_corr"] <= 1)
        for v in h["final_mean"]:
            self.assertTrue(0.001 < v < 0.008)
        with h5py.File(os.path.join(out, "assimilation.h5"), "r") as f:
            for name in ("observed", "forecast", "analysis", "replay"):
                self.assertEqual(f["bold"][name].shape, (4, 8))
                self.assertTrue(np.all(np.isfinite(f["bold"][name][()])))
            g = f["hyperparameters/g_ampa_E"]
            for name in ("forecast_mean", "forecast_spread", "analysis_mean", "analysis_spread"):
                self.assertEqual(g[name].shape, (8, 4))
            np.testing.assert_allclose(g["truth"][()], [0.0032, 0.0040, 0.0046, 0.0036])
        self.assertTrue(os.path.exists(os.path.join(out, "observed_bold.h5")))
        self.assertFalse([n for n in os.listdir(out) if ".partial" in n])

    def test_simulate_bold_and_bad_input(self):
        config = self.config("truth.yaml")
        bold = os.path.join(self.tmp, "bold.h5")
        result = self.run_dtb("simulate-bold", config, "--out", bold, "--trs", "3")
        self.assertEqual(result.returncode, 0, result.stderr)
        with h5py.File(bold, "r") as f:
            values = f["bold"][()]
            self.assertEqual(values.shape, (4, 3))
            self.assertAlmostEqual(float(f["bold"].attrs["tr_ms"]), 500.0)
        self.assertTrue(np.all(np.isfinite(values)))
        self.assertGreater(np.abs(values).max(), 1e-4)  # activity moves the BOLD away from rest

        def expect_error(name, config_text_extra, words, low=0.001, trs=None):
            path = self.config(name, extra=config_text_extra, low=low)
            if trs is not None:
                with open(path) as f:
                    text = f.read().replace("trs: 8", "trs: %d" % trs)
                with open(path, "w") as f:
                    f.write(text)
            out = os.path.join(self.tmp, "out_" + name)
            result = self.run_dtb("assimilate", path, "--out", out)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("dtb: error:", result.stderr)
            for word in words:
                self.assertIn(word, result.stderr)
            self.assertFalse(os.path.exists(out))

        nan_csv = os.path.join(self.tmp, "nan.csv")
        with open(nan_csv, "w") as f:
            for r in range(4):
                f.write(",".join(["0.03", "nan" if r == 2 else "0.04", "0.03"]) + "\n")
        expect_error("nan.yaml", "bold: %s" % nan_csv, ["finite", "nan.csv"], trs=3)
        three = os.path.join(self.tmp, "three.csv")
        with open(three, "w") as f:
            f.write("0.03,0.04,0.05\n" * 3)
        expect_error("regions.yaml", "bold: %s" % three, ["3 regions", "4 voxels"], trs=3)
        expect_error("bounds.yaml", "", ["estimate[0]", "low < high"], low=0.009)
        expect_error("warmup.yaml", "bold: %s\nwarmup_trs: 3" % bold, ["warmup_trs"], trs=0)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
