"""Checks of `dtb build-brain` (issue 4; docs/brain_bundle.md) through the
executable:

- a synthetic NIfTI atlas (written here) with a TVB connectome directory, and
  with an HDF5 matrix file, gives a bundle whose brain.h5 has the documented
  layout, neuron counts proportional to grey matter with the total preserved,
  E:I 4:1 per voxel, row-normalised long-range rows without self-loops;
- bad input (missing or unreadable NIfTI, empty atlas, mismatched or NaN
  matrices, labels missing from the connectome, out-of-range options) gives
  one message naming the option/file, exit code 2, and creates nothing;
- the AAL atlas of Debian's mricron-data builds (skipped when absent), and the
  bundle runs under `dtb run` when the executable has that subcommand.

Skipped as a whole while `dtb --help` lists no build-brain subcommand."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from nifti_files import write_nifti1  # noqa: E402

ARGS = None
AAL = "/usr/share/mricron/templates/aal.nii.gz"


# 12^3 voxels of 1 mm, world = index - 3; labels 1..4 by x and y halves; the
# stored x axis is flipped (sform x = -i + 8), as in FSL-style templates.
def synthetic_atlas(path):
    labels = np.zeros((12, 12, 12), dtype=np.int16)
    for i in range(12):
        x = -i + 8
        for j in range(12):
            y = j - 3
            labels[i, j, :] = 1 + (x >= 3) + 2 * (y >= 3)
    write_nifti1(path, labels, [[-1, 0, 0, 8], [0, 1, 0, -3], [0, 0, 1, -3]])


def write_tvb(directory, labels, weights, tracts=None):
    os.makedirs(directory, exist_ok=True)
    np.savetxt(os.path.join(directory, "weights.txt"), weights)
    if tracts is not None:
        np.savetxt(os.path.join(directory, "tract_lengths.txt"), tracts)
    with open(os.path.join(directory, "centres.txt"), "w") as f:
        for n, label in enumerate(labels):
            f.write(f"{label} {n} {n} {n}\n")


WEIGHTS = np.array([[5, 1, 2, 3], [1, 5, 1, 1], [0.5, 0, 5, 4], [2, 2, 2, 5]], dtype=float)
TRACTS = np.array([[0, 30, 40, 50], [30, 0, 35, 45], [40, 35, 0, 25], [50, 45, 25, 0]], dtype=float)


def dtb_has(subcommand):
    """Whether `dtb --help` lists `subcommand` under "Subcommands:"."""
    r = subprocess.run([ARGS.dtb, "--help"], capture_output=True, text=True, timeout=60)
    listed = r.stdout.split("Subcommands:", 1)[-1] if "Subcommands:" in r.stdout else ""
    return any(line.split()[:1] == [subcommand] for line in listed.splitlines())


class BuildBrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not dtb_has("build-brain"):
            raise unittest.SkipTest(f"{ARGS.dtb} has no `build-brain` subcommand yet (main.cpp wiring pending)")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dtb_build_brain_")
        self.atlas = os.path.join(self.tmp, "atlas.nii.gz")
        synthetic_atlas(self.atlas)
        self.tvb = os.path.join(self.tmp, "tvb")
        write_tvb(self.tvb, ["1", "2", "3", "4"], WEIGHTS, TRACTS)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def build(self, *extra, out="bundle"):
        cmd = [ARGS.dtb, "build-brain", "--out", os.path.join(self.tmp, out)] + list(extra)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600)

    def check_bundle(self, bundle, neurons):
        for name in ("model.yaml", "brain.h5", "report.txt"):
            self.assertTrue(os.path.isfile(os.path.join(bundle, name)), name)
        with h5py.File(os.path.join(bundle, "brain.h5"), "r") as f:
            vox, con = f["voxels"], f["connectivity"]
            count_e, count_i = vox["count_e"][:], vox["count_i"][:]
            v = len(count_e)
            self.assertEqual(count_e.dtype, np.uint64)
            self.assertEqual(vox["indegree"].dtype, np.uint32)
            self.assertEqual(vox["label"].dtype, np.int64)
            self.assertEqual(vox["centre_mm"].shape, (v, 3))
            for name in ("count_i", "indegree", "label", "grey_matter", "density"):
                self.assertEqual(vox[name].shape, (v,), name)
            self.assertIn("voxel_mm", vox.attrs)
            kind = con.attrs["kind"]
            kind = kind.decode() if isinstance(kind, bytes) else kind
            self.assertIn(kind, ("dti", "exponential_distance_rule"))
            self.assertGreater(con.attrs["velocity_m_per_s"], 0)
            row_ptr, source = con["row_ptr"][:], con["source"][:]
            weight, delay = con["weight"][:], con["delay_ms"][:]
            self.assertEqual(row_ptr.shape, (v + 1,))
            self.assertEqual(source.dtype, np.uint32)
            n = count_e.astype(np.int64) + count_i.astype(np.int64)
            self.assertEqual(int(n.sum()), neurons)
            self.assertTrue(np.all(np.abs(count_e - 0.8 * n) <= 0.5))
            grey = vox["grey_matter"][:]
            self.assertTrue(np.all(np.abs(n - neurons * grey / grey.sum()) < 1.0))
            for t in range(v):
                row = slice(row_ptr[t], row_ptr[t + 1])
                if row_ptr[t + 1] > row_ptr[t]:
                    self.assertAlmostEqual(float(weight[row].sum()), 1.0, places=9)
                self.assertNotIn(t, source[row])
            self.assertTrue(np.all(delay > 0))
            return kind, v

    def test_synthetic_atlas_with_tvb_connectome(self):
        r = self.build("--atlas", self.atlas, "--connectivity", self.tvb, "--neurons", "4001",
                       "--voxel-mm", "6", "--velocity", "5", "--ranks", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        bundle = os.path.join(self.tmp, "bundle")
        kind, v = self.check_bundle(bundle, 4001)
        self.assertEqual((kind, v), ("dti", 8))
        with open(os.path.join(bundle, "report.txt")) as f:
            report = f.read()
        self.assertIn(report.strip(), r.stdout)
        self.assertIn("memory estimate (2 ranks", report)
        with h5py.File(os.path.join(bundle, "brain.h5"), "r") as f:
            delays = f["connectivity/delay_ms"][:]
            self.assertTrue(set(np.round(delays, 9)) <= {6.0, 7.0, 8.0, 9.0, 10.0, 5.0})

    def test_hdf5_matrix_with_string_labels(self):
        with open(os.path.join(self.tmp, "atlas.nii.txt"), "w") as f:
            f.write("1 A_L 1\n2 A_R 2\n3 B_L 3\n4 B_R 4\n")
        matrix = os.path.join(self.tmp, "sc.h5")
        with h5py.File(matrix, "w") as f:
            f["weights"] = WEIGHTS
            f["labels"] = np.array([b"A_L", b"A_R", b"B_L", b"B_R"])
        r = self.build("--atlas", self.atlas, "--connectivity", matrix, "--neurons", "2000", "--regions")
        self.assertEqual(r.returncode, 0, r.stderr)
        kind, v = self.check_bundle(os.path.join(self.tmp, "bundle"), 2000)
        self.assertEqual((kind, v), ("dti", 4))

    def test_bad_input_is_one_clear_error_and_creates_nothing(self):
        garbage = os.path.join(self.tmp, "garbage.nii")
        with open(garbage, "wb") as f:
            f.write(b"\0" * 100)
        empty = os.path.join(self.tmp, "empty.nii")
        write_nifti1(empty, np.zeros((4, 4, 4), dtype=np.int16), [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
        csv_size = os.path.join(self.tmp, "size.csv")
        with open(csv_size, "w") as f:
            f.write("x,1,2,3,4\n1,0,1,1,1\n2,1,0,1\n3,1,1,0,1\n4,1,1,1,0\n")
        csv_nan = os.path.join(self.tmp, "nan.csv")
        with open(csv_nan, "w") as f:
            f.write("x,1,2,3,4\n1,0,1,1,1\n2,1,0,nan,1\n3,1,1,0,1\n4,1,1,1,0\n")
        csv_negative = os.path.join(self.tmp, "negative.csv")
        with open(csv_negative, "w") as f:
            f.write("x,1,2,3,4\n1,0,1,1,1\n2,1,0,-2,1\n3,1,1,0,1\n4,1,1,1,0\n")
        missing_label = os.path.join(self.tmp, "missing")
        write_tvb(missing_label, ["1", "2", "3"], WEIGHTS[:3, :3])
        base = ["--atlas", self.atlas, "--neurons", "4000", "--voxel-mm", "6"]
        cases = [
            (["--atlas", os.path.join(self.tmp, "nope.nii"), "--neurons", "4000"], "--atlas"),
            (["--atlas", garbage, "--neurons", "4000"], garbage),
            (["--atlas", empty, "--neurons", "4000"], "no labelled voxels"),
            (base + ["--connectivity", csv_size], "size.csv"),
            (base + ["--connectivity", csv_nan], "is nan; allowed: finite and >= 0"),
            (base + ["--connectivity", csv_negative], "allowed: finite and >= 0"),
            (base + ["--connectivity", missing_label], "missing from the connectome: 4"),
            (base + ["--in-degree", "0"], "--in-degree"),
            (["--atlas", self.atlas, "--neurons", "0"], "--neurons"),
            (base + ["--velocity", "-3"], "--velocity"),
            (["--atlas", self.atlas, "--neurons", "200", "--voxel-mm", "6"], "too few neurons"),
            (base + ["--regions"], ""),  # --regions excludes --voxel-mm
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                r = self.build(*args, out="never")
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(expected, r.stderr)
                if expected:
                    lines = [line for line in r.stderr.splitlines() if line.strip()]
                    self.assertEqual(len(lines), 1, r.stderr)
                    self.assertTrue(lines[0].startswith("dtb: error: "), lines[0])
                leftovers = [n for n in os.listdir(self.tmp) if n.startswith("never") or n.startswith(".never")]
                self.assertEqual(leftovers, [])

    def test_aal_atlas_builds_and_runs(self):
        if not os.path.exists(AAL):
            self.skipTest(f"{AAL} not installed (Debian package mricron-data)")
        r = self.build("--atlas", AAL, "--neurons", "30000", "--regions", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        bundle = os.path.join(self.tmp, "bundle")
        kind, v = self.check_bundle(bundle, 30000)
        self.assertEqual(kind, "exponential_distance_rule")
        self.assertGreater(v, 90)
        with open(os.path.join(bundle, "report.txt")) as f:
            self.assertIn("STAND-IN", f.read())
        with h5py.File(os.path.join(bundle, "brain.h5"), "r") as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["regions/name"][:]]
        self.assertIn("Precentral_L", names)
        if not dtb_has("run"):
            return
        run_dir = os.path.join(self.tmp, "run")
        r = subprocess.run([ARGS.dtb, "run", os.path.join(bundle, "model.yaml"), "--out", run_dir,
                            "--t-stop", "20"], capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(run_dir, "spikes.h5")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
