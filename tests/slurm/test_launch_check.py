"""Mis-launch detection (issue 7): a mis-wired `srun` (no working PMI plugin)
starts N single-rank copies of dtb, each with SLURM_NTASKS=N. Each copy must
fail at start-up with exit code 2 and the stated message, and write no
results. No Slurm is needed: the copies are started here, as srun would.
Controls: SLURM_NTASKS=1 with one process, and (when mpirun exists)
SLURM_NTASKS=2 under `mpirun -np 2`, both succeed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
MODEL = """name: launch-check
simulation: {dt_ms: 0.1, t_stop_ms: 50, seed: 5}
populations:
  - {name: E, size: 80, iaf_psc_exp: {}}
inputs:
  - {name: ext, targets: [E], kind: poisson, count: 100, rate_hz: 20, weight: 87.8}
"""


def clean_environment(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "OMPI_", "PMIX_", "PMI_"))}
    env.update(extra)
    return env


class LaunchCheckTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="dtb-launch-check-")
        self.model = os.path.join(self.work, "model.yaml")
        with open(self.model, "w") as f:
            f.write(MODEL)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def test_single_rank_copies_fail(self):
        for copies in (2, 3):
            env = clean_environment(SLURM_NTASKS=str(copies))
            processes = []
            for i in range(copies):
                out = os.path.join(self.work, f"copies{copies}-{i}")
                processes.append((out, subprocess.Popen(
                    [ARGS.dtb, "run", self.model, "--out", out], env=env, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True)))
            for out, process in processes:
                stdout, stderr = process.communicate(timeout=120)
                self.assertEqual(process.returncode, 2, stderr)
                self.assertRegex(stderr, re.compile(
                    rf"^dtb: rank 0: error: SLURM_NTASKS={copies} but the MPI world has 1 rank: ", re.M))
                self.assertFalse(os.path.exists(os.path.join(out, "summary.json")))
                self.assertFalse(os.path.exists(os.path.join(out, "spikes.h5")))

    def test_matching_world_runs(self):
        out = os.path.join(self.work, "one")
        r = subprocess.run([ARGS.dtb, "run", self.model, "--out", out], env=clean_environment(SLURM_NTASKS="1"),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "summary.json")))

    def test_matching_mpi_world_runs(self):
        mpirun = ARGS.mpiexec or shutil.which("mpirun")
        if not mpirun:
            self.skipTest("no mpirun")
        out = os.path.join(self.work, "two")
        env = clean_environment(SLURM_NTASKS="2", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        r = subprocess.run([mpirun, "--oversubscribe", "-np", "2", ARGS.dtb, "run", self.model, "--out", out],
                           env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "summary.json")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--mpiexec", default="")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)
