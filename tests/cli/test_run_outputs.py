"""End-to-end checks of `dtb run`: the files it writes, recomputed
independently here from spikes.h5 (digest, rates, CV), determinism by seed,
and that an interrupted run leaves nothing that looks finished."""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

ARGS = None

MODEL = """
simulation: {dt_ms: 0.1, t_stop_ms: 400, seed: 1, record: {rate_bin_ms: 5}}
populations:
  - {name: E, size: 400, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}
  - {name: I, size: 100, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: {kind: normal, mean: 80, std: 8}, delay_ms: {kind: uniform, low: 1, high: 2}}
  - {source: E, target: I, rule: fixed_indegree, indegree: 40, weight: 80, delay_ms: 1.5}
  - {source: I, target: E, rule: fixed_indegree, indegree: 10, weight: -320, delay_ms: 0.8}
  - {source: I, target: I, rule: fixed_indegree, indegree: 10, weight: -320, delay_ms: 0.8}
inputs:
  - {name: ext, targets: [E, I], kind: poisson, rate_hz: 10, count: 1800, weight: 80}
"""

SIZES = {"E": (0, 400), "I": (400, 100)}


def fnv1a64(pairs):
    h = 0xcbf29ce484222325
    for step, gid in pairs:
        for word in (step, gid):
            for b in range(8):
                h ^= (word >> (8 * b)) & 0xFF
                h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


class RunOutputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-run-")
        cls.model = os.path.join(cls.tmp, "net.yaml")
        with open(cls.model, "w") as f:
            f.write(MODEL)
        cls.out = os.path.join(cls.tmp, "a")
        cls.proc = cls.run_dtb([cls.model, "--out", cls.out])
        assert cls.proc.returncode == 0, cls.proc.stderr
        with open(os.path.join(cls.out, "summary.json")) as f:
            cls.summary = json.load(f)

    @staticmethod
    def run_dtb(args):
        return subprocess.run([ARGS.dtb, "run"] + args, capture_output=True, text=True, timeout=300)

    def spikes(self, out):
        pairs = []
        with h5py.File(os.path.join(out, "spikes.h5"), "r") as f:
            for name, (first, _) in SIZES.items():
                t = f["spikes"][name]["timestamps"][:]
                ids = f["spikes"][name]["node_ids"][:]
                steps = np.rint(t / 0.1).astype(np.int64) - 1
                pairs += [(int(s), int(first + i)) for s, i in zip(steps, ids)]
        return sorted(pairs)

    def test_summary_has_every_field_with_consistent_values(self):
        s = self.summary
        for key in ["neurons", "synapses", "dt_ms", "t_stop_ms", "seed", "ranks", "backend", "build_s",
                    "sim_s", "rtf", "synapse_bytes", "bytes_per_synapse", "peak_rss_bytes",
                    "spike_count", "spikes_digest", "populations"]:
            self.assertIn(key, s)
        self.assertEqual(s["neurons"], 500)
        self.assertEqual(s["synapses"], 400 * 40 + 100 * 40 + 400 * 10 + 100 * 10)
        self.assertEqual(s["ranks"], 1)
        self.assertEqual(s["seed"], 1)
        self.assertAlmostEqual(s["rtf"], s["sim_s"] / 0.4, places=9)
        self.assertAlmostEqual(s["bytes_per_synapse"], s["synapse_bytes"] / s["synapses"], places=9)
        self.assertLessEqual(s["bytes_per_synapse"], 8.0)
        self.assertGreater(s["peak_rss_bytes"], 0)
        self.assertEqual([p["name"] for p in s["populations"]], ["E", "I"])

    def test_digest_and_count_match_the_spike_file(self):
        pairs = self.spikes(self.out)
        self.assertGreater(len(pairs), 100, "the test network should be active")
        self.assertEqual(self.summary["spike_count"], len(pairs))
        self.assertEqual(self.summary["spikes_digest"], fnv1a64(pairs))

    def test_sonata_layout(self):
        check = os.path.join(ARGS.source_dir, "tests", "support", "check_sonata_layout.py")
        r = subprocess.run([sys.executable, check, os.path.join(self.out, "spikes.h5"),
                            "--populations", "E:400,I:100", "--dt", "0.1"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_rates_and_cv_match_an_independent_computation(self):
        pairs = self.spikes(self.out)
        by_pop = {p["name"]: p for p in self.summary["populations"]}
        with h5py.File(os.path.join(self.out, "rates.h5"), "r") as f:
            self.assertAlmostEqual(f["rates"].attrs["bin_ms"], 5.0)
            for name, (first, size) in SIZES.items():
                mine = [(s, g) for s, g in pairs if first <= g < first + size]
                rate = len(mine) / (size * 0.4)
                self.assertAlmostEqual(by_pop[name]["rate_hz"], rate, places=9)
                binned = f["rates"][name][:]
                self.assertEqual(len(binned), 80)
                self.assertAlmostEqual(float(np.mean(binned)), rate, places=9)
                counts = np.zeros(80)
                for s, _ in mine:
                    counts[s // 50] += 1
                np.testing.assert_allclose(binned, counts / (size * 0.005), rtol=1e-12)
                cvs = []
                for g in range(first, first + size):
                    t = np.array([s for s, gg in mine if gg == g], dtype=float) * 0.1
                    isi = np.diff(t)
                    if len(isi) >= 2:
                        cvs.append(isi.std() / isi.mean())
                self.assertTrue(cvs, "some neurons should fire repeatedly")
                self.assertAlmostEqual(by_pop[name]["cv_isi"], float(np.mean(cvs)), places=9)

    def test_same_seed_same_spikes_other_seed_different(self):
        again = self.run_dtb([self.model, "--out", os.path.join(self.tmp, "b")])
        self.assertEqual(again.returncode, 0, again.stderr)
        other = self.run_dtb([self.model, "--out", os.path.join(self.tmp, "c"), "--seed", "2"])
        self.assertEqual(other.returncode, 0, other.stderr)
        with open(os.path.join(self.tmp, "b", "summary.json")) as f:
            b = json.load(f)
        with open(os.path.join(self.tmp, "c", "summary.json")) as f:
            c = json.load(f)
        self.assertEqual(b["spikes_digest"], self.summary["spikes_digest"])
        self.assertEqual(self.spikes(os.path.join(self.tmp, "b")), self.spikes(self.out))
        self.assertEqual(c["seed"], 2)
        self.assertNotEqual(c["spikes_digest"], self.summary["spikes_digest"])

    def test_host_thread_count_changes_nothing(self):
        # Construction runs on OpenMP host threads (chunks of targets, then
        # the row scatter split by source range): 1 and 3 threads must build
        # the same synapses and so give the same spikes as the default.
        for threads in ("1", "3"):
            out = os.path.join(self.tmp, "threads" + threads)
            env = dict(os.environ, OMP_NUM_THREADS=threads)
            r = subprocess.run([ARGS.dtb, "run", self.model, "--out", out], capture_output=True, text=True,
                               timeout=300, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "summary.json")) as f:
                s = json.load(f)
            self.assertEqual(s["synapses"], self.summary["synapses"], threads)
            self.assertEqual(s["spikes_digest"], self.summary["spikes_digest"], threads)

    def test_overrides_and_no_spikes(self):
        out = os.path.join(self.tmp, "d")
        r = self.run_dtb([self.model, "--out", out, "--t-stop", "100", "--no-spikes"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "spikes.h5")))
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        self.assertEqual(s["t_stop_ms"], 100.0)
        # The first 100 ms of the same seed: the same spikes as the long run.
        prefix = [(st, g) for st, g in self.spikes(self.out) if st < 1000]
        self.assertEqual(s["spike_count"], len(prefix))
        self.assertEqual(s["spikes_digest"], fnv1a64(prefix))
        # Progress goes to stderr as plain lines in a pipe.
        self.assertIn("simulate 100%", r.stderr)

    def test_interrupted_run_leaves_no_finished_files(self):
        out = os.path.join(self.tmp, "e")
        p = subprocess.Popen([ARGS.dtb, "run", self.model, "--out", out, "--t-stop", "1000000"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not os.path.isdir(out):
            time.sleep(0.05)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 128 + signal.SIGINT, err)
        self.assertIn("interrupted", err)
        self.assertEqual(os.listdir(out), [])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
