"""dtb-server --runner slurm against a real single-node Slurm (issue 7).

Starts a throwaway Slurm cluster (slurm_cluster.py: installs slurm-wlm and
munge from Debian if missing, runs munged, slurmctld and slurmd on loopback
from a temporary directory), then real dtb-server processes with the Slurm
runner, and drives them through dtbctl:

  - a 2-rank job reaches SUCCEEDED, Slurm says COMPLETED, and its
    spikes_digest equals the local runner's for the same model; with the
    launcher `auto` (srun --mpi=pmix when Slurm has PMIx) and with `mpirun`
    inside the allocation;
  - a cancelled job ends CANCELLED in Slurm and in the service;
  - a job past its time limit ends TIMED_OUT;
  - after a server restart a running Slurm job is followed again by its id,
    and a scancel from outside the service ends it CANCELLED;
  - a brain-build job (the AAL atlas of mricron-data, when installed) and a
    2-rank twin assimilation of examples/twin, both named through an input
    directory, run as Slurm jobs (`dtb build-brain`, `dtb assimilate` in the
    batch script) and succeed.

Exit code 77 (ctest: skipped) only when Slurm cannot be installed or started
here, with the reason.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slurm_cluster import ClusterUnavailable, SlurmCluster  # noqa: E402

AAL = "/usr/share/mricron/templates/aal.nii.gz"
TWIN_CONFIG = """model: twin/model.yaml
tr_ms: 200
trs: 2
members: 2
estimate:
  - {quantity: g_ampa, population: E, low: 0.001, high: 0.008, truth: [0.0032, 0.0040, 0.0046, 0.0036]}
"""

ARGS = None
CLUSTER = None
WORK = None
SKIP_EXIT_CODE = 77


def network_yaml(name, t_stop_ms, seed=3):
    # The service tests' network (tests/service/test_models.hpp).
    return (f"name: {name}\n"
            f"simulation: {{dt_ms: 0.1, t_stop_ms: {t_stop_ms}, seed: {seed}}}\n"
            "populations:\n"
            "  - {name: E, size: 400, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}\n"
            "  - {name: I, size: 100, iaf_psc_exp: {}}\n"
            "projections:\n"
            "  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: 87.8, delay_ms: 1.5}\n"
            "  - {source: I, target: E, rule: fixed_indegree, indegree: 10, weight: -439, delay_ms: 1.5}\n"
            "inputs:\n"
            "  - {name: ext, targets: [E, I], kind: poisson, count: 400, rate_hz: 25, weight: 87.8}\n")


def write_model(name, t_stop_ms):
    path = os.path.join(WORK, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(network_yaml(name, t_stop_ms))
    return path


class Server:
    """A dtb-server process on a free loopback port."""

    def __init__(self, name, runner_args, data_dir=None):
        self.name = name
        self.data_dir = data_dir or os.path.join(WORK, f"data-{name}")
        self.runner_args = runner_args
        self.process = None
        self.address = None
        self.starts = 0

    def start(self):
        self.starts += 1
        port_file = os.path.join(WORK, f"{self.name}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        log = open(os.path.join(WORK, f"{self.name}-{self.starts}.log"), "w")
        env = CLUSTER.environment()
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        self.process = subprocess.Popen(
            [ARGS.dtb_server, "--data-dir", self.data_dir, "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--dtb", ARGS.dtb, "--kill-grace", "2s"] + self.runner_args,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        log.close()
        end = time.time() + 60
        while not os.path.exists(port_file):
            if self.process.poll() is not None:
                raise RuntimeError(f"dtb-server {self.name} exited {self.process.returncode}:\n{self.log_text()}")
            if time.time() > end:
                raise RuntimeError(f"dtb-server {self.name} did not start:\n{self.log_text()}")
            time.sleep(0.1)
        with open(port_file) as f:
            self.address = f"127.0.0.1:{f.read().strip()}"
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_text(self):
        with open(os.path.join(WORK, f"{self.name}-{self.starts}.log"), errors="replace") as f:
            return f.read()[-4000:]

    def dtbctl(self, *args, timeout=120, check=True):
        r = subprocess.run([ARGS.dtbctl, "--server", self.address] + list(args), capture_output=True, text=True,
                           timeout=timeout, env=CLUSTER.environment())
        if check and r.returncode != 0:
            raise AssertionError(f"dtbctl {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}\n"
                                 f"server log:\n{self.log_text()}")
        return r

    def submit(self, model, *options):
        return self.dtbctl("submit", model, *options).stdout.strip().splitlines()[0].split(":")[0]

    def job(self, job_id):
        return json.loads(self.dtbctl("status", job_id, "--json").stdout)

    def wait_until(self, job_id, condition, timeout, what):
        end = time.time() + timeout
        job = None
        while time.time() < end:
            job = self.job(job_id)
            if condition(job):
                return job
            time.sleep(0.3)
        raise AssertionError(f"job {job_id} on {self.name}: timed out waiting for {what}; last record:\n"
                             f"{json.dumps(job, indent=1)}\nserver log:\n{self.log_text()}")

    def wait_final(self, job_id, timeout=120):
        return self.wait_until(job_id, lambda j: j["state"] in ("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"),
                               timeout, "a final state")

    def summary(self, job_id):
        out = os.path.join(WORK, f"fetch-{self.name}-{job_id}")
        self.dtbctl("fetch", job_id, "--out", out, "--file", "summary.json")
        with open(os.path.join(out, "summary.json")) as f:
            return json.load(f)


def scontrol_state(slurm_job_id):
    r = subprocess.run(["scontrol", "show", "job", "--oneliner", slurm_job_id], capture_output=True, text=True,
                       env=CLUSTER.environment(), timeout=30)
    for field in r.stdout.split():
        if field.startswith("JobState="):
            return field.split("=", 1)[1]
    return f"(scontrol: {r.stderr.strip()})"


def running(job):
    return job["state"] == "RUNNING" and job.get("batch", {}).get("state") == "RUNNING"


class SlurmRunnerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.quick = write_model("quick", 500)
        cls.long = write_model("long", 600000)
        cls.slurm = Server("slurm", ["--runner", "slurm"]).start()
        cls.local = Server("local", ["--runner", "local", "--max-ranks", "2"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.slurm.stop()
        cls.local.stop()

    def check_two_rank_job(self, server):
        started = time.time()
        job_id = server.submit(self.quick, "--ranks", "2", "--wait")
        job = server.job(job_id)
        self.assertEqual(job["state"], "SUCCEEDED", json.dumps(job, indent=1))
        batch = job["batch"]
        self.assertEqual(batch["system"], "slurm")
        self.assertEqual(batch["state"], "COMPLETED")
        self.assertEqual(scontrol_state(batch["job_id"]), "COMPLETED")
        with open(os.path.join(server.data_dir, "jobs", job_id, "slurm_job.sh")) as f:
            script = f.read()
        self.assertIn("#SBATCH --ntasks=2", script)
        summary = server.summary(job_id)
        self.assertEqual(summary["ranks"], 2)
        launcher = "srun --mpi=pmix" if "srun --mpi=pmix" in script else "mpirun"
        print(f"{server.name}: 2-rank Slurm job {batch['job_id']} via {launcher}: SUCCEEDED in "
              f"{time.time() - started:.1f} s, digest {summary['spikes_digest']}", file=sys.stderr)
        return summary, launcher

    def test_two_rank_job_matches_local_runner(self):
        slurm_summary, launcher = self.check_two_rank_job(self.slurm)
        local_id = self.local.submit(self.quick, "--ranks", "2", "--wait")
        local_summary = self.local.summary(local_id)
        self.assertEqual(slurm_summary["spikes_digest"], local_summary["spikes_digest"])
        self.assertGreater(slurm_summary.get("total_spikes", slurm_summary.get("spikes", 1)), 0)

    def test_mpirun_inside_the_allocation(self):
        server = Server("slurm-mpirun", ["--runner", "slurm", "--slurm-launcher", "mpirun"]).start()
        try:
            summary, launcher = self.check_two_rank_job(server)
            self.assertEqual(launcher, "mpirun")
            local_id = self.local.submit(self.quick, "--ranks", "2", "--wait")
            self.assertEqual(summary["spikes_digest"], self.local.summary(local_id)["spikes_digest"])
        finally:
            server.stop()

    def test_cancel_ends_cancelled_in_slurm_and_service(self):
        job_id = self.slurm.submit(self.long, "--ranks", "2")
        job = self.slurm.wait_until(job_id, running, 60, "RUNNING in Slurm and the service")
        slurm_id = job["batch"]["job_id"]
        self.slurm.dtbctl("cancel", job_id)
        job = self.slurm.wait_final(job_id, 60)
        self.assertEqual(job["state"], "CANCELLED", json.dumps(job, indent=1))
        self.assertEqual(job["batch"]["state"], "CANCELLED")
        self.assertEqual(scontrol_state(slurm_id), "CANCELLED")

    def test_time_limit_ends_timed_out(self):
        started = time.time()
        job_id = self.slurm.submit(self.long, "--time-limit", "4s")
        job = self.slurm.wait_final(job_id, 90)
        self.assertEqual(job["state"], "TIMED_OUT", json.dumps(job, indent=1))
        self.assertIn("time limit", job["reason"])
        slurm_state = scontrol_state(job["batch"]["job_id"])
        # The service scancels at the exact limit (Slurm counts whole
        # minutes); had Slurm been first, its state would be TIMEOUT.
        self.assertIn(slurm_state, ("CANCELLED", "TIMEOUT"))
        print(f"time limit 4 s: TIMED_OUT after {time.time() - started:.1f} s, Slurm state {slurm_state}",
              file=sys.stderr)

    def test_restart_follows_job_by_slurm_id(self):
        server = Server("slurm-restart", ["--runner", "slurm"]).start()
        try:
            job_id = server.submit(self.long)
            job = server.wait_until(job_id, running, 60, "RUNNING")
            slurm_id = job["batch"]["job_id"]
            server.stop()
            self.assertEqual(scontrol_state(slurm_id), "RUNNING")
            server.start()
            self.assertIn("following it again", server.log_text())
            job = server.job(job_id)
            self.assertEqual(job["state"], "RUNNING")
            self.assertEqual(job["batch"]["job_id"], slurm_id)
            # Cancelled from outside the service.
            subprocess.run(["scancel", slurm_id], check=True, env=CLUSTER.environment())
            job = server.wait_final(job_id, 60)
            self.assertEqual(job["state"], "CANCELLED", json.dumps(job, indent=1))
            self.assertEqual(job["batch"]["state"], "CANCELLED")
        finally:
            server.stop()

    def test_brain_build_and_assimilation_jobs(self):
        inputs = os.path.join(WORK, "inputs")
        os.makedirs(os.path.join(inputs, "twin"), exist_ok=True)
        for name in ("model.yaml", "brain.h5"):
            shutil.copy(os.path.join(ARGS.source_dir, "examples", "twin", name), os.path.join(inputs, "twin"))
        server = Server("slurm-inputs", ["--runner", "slurm", "--input-dir", inputs]).start()
        try:
            if os.path.exists(AAL):
                os.makedirs(os.path.join(inputs, "atlases"), exist_ok=True)
                shutil.copy(AAL, os.path.join(inputs, "atlases"))
                build_spec = os.path.join(WORK, "build.yaml")
                with open(build_spec, "w") as f:
                    f.write("{atlas: atlases/aal.nii.gz, neurons: 2000, in_degree: 10, regions: true}\n")
                build_id = server.submit(build_spec, "--kind", "brain-build")
                job = server.wait_final(build_id, 300)
                self.assertEqual(job["state"], "SUCCEEDED", json.dumps(job, indent=1))
                with open(os.path.join(server.data_dir, "jobs", build_id, "slurm_job.sh")) as f:
                    self.assertIn("'build-brain' '--atlas=" + os.path.join(inputs, "atlases", "aal.nii.gz"), f.read())
                for name in ("model.yaml", "brain.h5", "report.txt"):
                    self.assertTrue(os.path.exists(os.path.join(server.data_dir, "jobs", build_id, name)), name)
            else:
                print(f"brain build under Slurm skipped: {AAL} is not installed (mricron-data)", file=sys.stderr)
            config = os.path.join(WORK, "twin.yaml")
            with open(config, "w") as f:
                f.write(TWIN_CONFIG)
            started = time.time()
            job_id = server.submit(config, "--kind", "assimilation", "--ranks", "2")
            job = server.wait_final(job_id, 300)
            self.assertEqual(job["state"], "SUCCEEDED", json.dumps(job, indent=1))
            with open(os.path.join(server.data_dir, "jobs", job_id, "slurm_job.sh")) as f:
                script = f.read()
            self.assertIn("'assimilate' '" + os.path.join(server.data_dir, "jobs", job_id, "config.yaml") + "'",
                          script)
            summary = server.summary(job_id)
            self.assertEqual(summary["trs"], 2)
            self.assertEqual(summary["ranks"], 2)
            print(f"2-rank twin assimilation as Slurm job {job['batch']['job_id']}: SUCCEEDED in "
                  f"{time.time() - started:.1f} s", file=sys.stderr)
        finally:
            server.stop()


def main():
    global ARGS, CLUSTER, WORK
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--dtb-server", required=True)
    parser.add_argument("--dtbctl", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    for name in ("dtb", "dtb_server", "dtbctl", "source_dir"):
        setattr(ARGS, name, os.path.abspath(getattr(ARGS, name)))
    WORK = tempfile.mkdtemp(prefix="dtb-slurm-test-")
    os.chmod(WORK, 0o755)
    cluster = SlurmCluster()
    try:
        CLUSTER = cluster.start()
    except ClusterUnavailable as e:
        print(f"SKIPPED: Slurm cannot start here: {e}", file=sys.stderr)
        cluster.keep = True
        cluster.stop()
        return SKIP_EXIT_CODE
    ok = False
    try:
        result = unittest.main(argv=[sys.argv[0], "-v"] + rest, exit=False).result
        ok = result.wasSuccessful()
    finally:
        if not ok:
            cluster.keep = True
        cluster.stop()
        if ok and not os.environ.get("DTB_KEEP_TEST_FILES"):
            shutil.rmtree(WORK, ignore_errors=True)
        else:
            print(f"test files kept in {WORK}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
