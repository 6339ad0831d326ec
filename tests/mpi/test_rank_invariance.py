"""The reproducibility promise: the spike trains of a run are bitwise
identical for 1, 2, 3 and 4 MPI ranks with the same seed, with both exchange
modes, and under bursts that overflow the first exchange buffers; a failing
rank ends the whole job quickly with a message naming it."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None

BURST_MODEL = """
# Strong recurrent excitation: synchronous bursts of the whole network,
# far above the traffic the exchange buffers are first sized for.
simulation: {dt_ms: 0.1, t_stop_ms: 150, seed: 5}
populations:
  - {name: E, size: 1600, iaf_psc_exp: {t_ref: 1.0}, v_init: {kind: uniform, low: -65, high: -50}}
  - {name: I, size: 400, iaf_psc_exp: {t_ref: 1.0}, v_init: {kind: uniform, low: -65, high: -50}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 200, weight: 300, delay_ms: {kind: uniform, low: 0.5, high: 1.5}}
  - {source: E, target: I, rule: fixed_indegree, indegree: 200, weight: 300, delay_ms: 0.5}
  - {source: I, target: E, rule: pairwise_bernoulli, p: 0.05, weight: -200, delay_ms: 0.7}
inputs:
  - {name: drive, targets: [E, I], kind: poisson, rate_hz: 12, count: 1000, weight: 90}
"""


def env():
    e = dict(os.environ)
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    e.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    return e


def run(ranks, model, out, extra=(), timeout=600):
    cmd = [ARGS.mpiexec, "--oversubscribe", "-np", str(ranks), ARGS.dtb, "run", model, "--out", out] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env())


class RankInvariance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb-mpi-")
        cls.burst = os.path.join(cls.tmp, "burst.yaml")
        with open(cls.burst, "w") as f:
            f.write(BURST_MODEL)

    def digests(self, name, model, extra, runs):
        seen = {}
        for ranks, mode in runs:
            out = os.path.join(self.tmp, f"{name}-{ranks}-{mode}")
            args = list(extra)
            if mode == "two-level":
                args += ["--exchange", "two-level", "--ranks-per-node", "2"]
            r = run(ranks, model, out, args)
            self.assertEqual(r.returncode, 0, f"{name} on {ranks} ranks ({mode}):\n{r.stderr[-3000:]}")
            with open(os.path.join(out, "summary.json")) as f:
                s = json.load(f)
            self.assertEqual(s["ranks"], ranks)
            self.assertEqual(len(s["per_rank"]), ranks)
            self.assertEqual(sum(p["neurons"] for p in s["per_rank"]), s["neurons"])
            self.assertEqual(sum(p["synapses"] for p in s["per_rank"]), s["synapses"])
            seen[(ranks, mode)] = (s["spikes_digest"], s["spike_count"], s["synapses"])
        return seen

    def check_model(self, name, model, extra):
        runs = [(1, "direct"), (2, "direct"), (3, "direct"), (4, "direct"), (3, "two-level"), (4, "two-level")]
        seen = self.digests(name, model, extra, runs)
        reference = seen[(1, "direct")]
        self.assertGreater(reference[1], 0, f"{name}: no spikes, the comparison would be empty")
        for key, value in seen.items():
            self.assertEqual(value, reference, f"{name}: {key} differs from 1 rank")

    def test_brunel(self):
        self.check_model("brunel", os.path.join(ARGS.source_dir, "examples", "brunel.yaml"), ["--t-stop", "150"])

    def test_dtb_block(self):
        self.check_model("dtb_block", os.path.join(ARGS.source_dir, "examples", "dtb_block.yaml"), ["--t-stop", "150"])

    def test_reduced_microcircuit(self):
        self.check_model("microcircuit", os.path.join(ARGS.source_dir, "examples", "microcircuit.yaml"),
                         ["--scale", "0.05", "--t-stop", "150"])

    def test_bursts_lose_no_spikes(self):
        seen = self.digests("burst", self.burst, [], [(1, "direct"), (4, "direct"), (4, "two-level")])
        reference = seen[(1, "direct")]
        # Bursts: on average every neuron fires many times in 150 ms.
        self.assertGreater(reference[1], 2000 * 5)
        for key, value in seen.items():
            self.assertEqual(value, reference, f"burst: {key} differs from 1 rank")

    def test_failing_rank_ends_the_job(self):
        start = time.time()
        r = run(3, self.burst, os.path.join(self.tmp, "fault"), ["--inject-fault", "1:50"], timeout=120)
        elapsed = time.time() - start
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("dtb: rank 1 of 3: error: injected fault", r.stderr + r.stdout)
        self.assertLess(elapsed, 60, "the job should end within seconds of the fault")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "fault", "summary.json")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
