"""Ensemble layout of `dtb assimilate` (issue 5): with the same seed the
results are bitwise identical whether the members run batched on one rank,
side by side on two ranks (two member groups), or one member split over two
ranks (3 ranks, 2 members). Skipped while `dtb --help` lists no assimilate."""
import argparse
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
tr_ms: 300
trs: 4
members: {members}
seed: 5
estimate:
  - {{quantity: g_ampa, population: E, low: 0.001, high: 0.008, truth: [0.0032, 0.0040, 0.0046, 0.0036]}}
"""
DATASETS = ("bold/observed", "bold/forecast", "bold/analysis", "bold/replay",
            "hyperparameters/g_ampa_E/analysis_mean", "hyperparameters/g_ampa_E/forecast_spread")


class Layout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        help_text = subprocess.run([ARGS.dtb, "--help"], capture_output=True, text=True).stdout
        if "assimilate" not in help_text:
            raise unittest.SkipTest("dtb --help lists no assimilate subcommand yet")
        cls.tmp = tempfile.mkdtemp(prefix="dtb_assimilate_layout_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_case(self, ranks, members):
        config = os.path.join(self.tmp, "m%d.yaml" % members)
        with open(config, "w") as f:
            f.write(CONFIG.format(model=os.path.join(ARGS.source_dir, "examples/twin/model.yaml"), members=members))
        out = os.path.join(self.tmp, "r%d_m%d" % (ranks, members))
        command = [ARGS.mpiexec, "-n", str(ranks), "--oversubscribe", ARGS.dtb, "assimilate", config, "--out", out,
                   "--quiet"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        with h5py.File(os.path.join(out, "assimilation.h5"), "r") as f:
            return {name: f[name][()] for name in DATASETS}

    def assert_same(self, a, b):
        for name in DATASETS:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)

    def test_batched_equals_side_by_side(self):
        self.assert_same(self.run_case(1, 4), self.run_case(2, 4))

    def test_member_split_over_ranks(self):
        self.assert_same(self.run_case(1, 2), self.run_case(3, 2))


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
