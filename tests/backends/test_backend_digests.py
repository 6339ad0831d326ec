"""The same spikes on every Kokkos backend: this build's `dtb` (for example
OpenMP, with 1 and 2 threads) against a reference build's (Serial, Debian's
Kokkos), bitwise: equal `spikes_digest`, spike count and synapse count for
brunel, a DTB block, the reduced microcircuit and an AAL brain bundle.

Registered by ctest only when the build was configured with
DTB_REFERENCE_DTB (deploy/test.sh does so for its OpenMP stage)."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
AAL_ATLAS = "/usr/share/mricron/templates/aal.nii.gz"


def run_dtb(dtb, model, out, extra, threads=None):
    env = dict(os.environ)
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
        env["OMP_PROC_BIND"] = "false"
    r = subprocess.run([dtb, "run", model, "--out", out, "--no-spikes"] + list(extra),
                       capture_output=True, text=True, timeout=900, env=env)
    if r.returncode != 0:
        raise AssertionError(f"{dtb} run {model} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


class BackendDigests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-backends-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def check_model(self, name, model, extra):
        reference = run_dtb(ARGS.reference_dtb, model, os.path.join(self.tmp, name + "-reference"), extra)
        self.assertGreater(reference["spike_count"], 0, f"{name}: no spikes, the comparison would be empty")
        for threads in (1, 2):
            s = run_dtb(ARGS.dtb, model, os.path.join(self.tmp, f"{name}-{threads}"), extra, threads)
            what = f"{name}: {s['backend']} with {threads} thread(s) against {reference['backend']}"
            self.assertEqual(s["synapses"], reference["synapses"], what)
            self.assertEqual(s["spike_count"], reference["spike_count"], what)
            self.assertEqual(s["spikes_digest"], reference["spikes_digest"], what)
        return reference, s

    def test_builds_differ_in_backend(self):
        # Otherwise the comparisons below would compare a build with itself.
        model = os.path.join(ARGS.source_dir, "examples", "brunel.yaml")
        a = run_dtb(ARGS.reference_dtb, model, os.path.join(self.tmp, "id-a"), ["--t-stop", "1"])
        b = run_dtb(ARGS.dtb, model, os.path.join(self.tmp, "id-b"), ["--t-stop", "1"], 2)
        self.assertNotEqual(a["backend"], b["backend"])

    def test_brunel(self):
        self.check_model("brunel", os.path.join(ARGS.source_dir, "examples", "brunel.yaml"), ["--t-stop", "200"])

    def test_dtb_block(self):
        self.check_model("dtb_block", os.path.join(ARGS.source_dir, "examples", "dtb_block.yaml"), ["--t-stop", "200"])

    def test_reduced_microcircuit(self):
        self.check_model("microcircuit", os.path.join(ARGS.source_dir, "examples", "microcircuit.yaml"),
                         ["--scale", "0.05", "--t-stop", "200"])

    def test_aal_brain_bundle(self):
        if not os.path.isfile(AAL_ATLAS):
            self.skipTest(f"{AAL_ATLAS} missing (Debian's mricron-data)")
        bundle = os.path.join(self.tmp, "aal")
        r = subprocess.run([ARGS.reference_dtb, "build-brain", "--atlas", AAL_ATLAS, "--neurons", "20000",
                            "--regions", "--name", "aal_backends", "--out", bundle, "--quiet"],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.check_model("aal", os.path.join(bundle, "model.yaml"), ["--t-stop", "100"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--reference-dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
