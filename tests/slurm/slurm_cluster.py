"""A throwaway single-node Slurm cluster for tests.

Installs slurm-wlm and munge from Debian if they are missing (root only),
writes slurm.conf into a temporary directory, starts munged (with its own
key and socket), slurmctld and slurmd on loopback, waits until the node is
idle, and tears everything down again. Nothing outside the temporary
directory is touched except the Debian packages.

    with SlurmCluster() as cluster:          # raises ClusterUnavailable
        env = cluster.environment()          # SLURM_CONF for the tools
        subprocess.run(["sinfo"], env=env)

Run it directly to try it out: python3 slurm_cluster.py [--keep]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SLURM_PACKAGES = ["slurm-wlm", "munge"]
NEEDED_PROGRAMS = ["slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo", "srun", "munged"]


class ClusterUnavailable(Exception):
    """Slurm cannot be installed or started here (the reason is the message)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_program(name):
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None)


def ensure_installed(log):
    missing = [p for p in NEEDED_PROGRAMS if not find_program(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise ClusterUnavailable(f"Slurm is not installed ({', '.join(missing)} missing) and this is not root")
    if not shutil.which("apt-get"):
        raise ClusterUnavailable(f"Slurm is not installed ({', '.join(missing)} missing) and there is no apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log(f"installing {' '.join(SLURM_PACKAGES)} with apt-get")
    for attempt in ([], ["update"]):
        if attempt:
            subprocess.run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends"] + SLURM_PACKAGES,
                           env=env, capture_output=True, text=True)
        if r.returncode == 0:
            break
    else:
        raise ClusterUnavailable("apt-get install slurm-wlm munge failed:\n" + r.stderr[-2000:])
    missing = [p for p in NEEDED_PROGRAMS if not find_program(p)]
    if missing:
        raise ClusterUnavailable(f"after installing, still missing: {', '.join(missing)}")
    # Debian starts the packaged daemons with the system configuration; this
    # cluster uses its own, so they are not needed (and not touched).


class SlurmCluster:
    def __init__(self, cpus=None, keep=False, log=None):
        self.log = log or (lambda text: print(f"[slurm-cluster] {text}", file=sys.stderr, flush=True))
        # More CPUs than cores (slurmd accepts it with config_overrides), so
        # several small jobs run at once on a 2-core machine.
        self.cpus = cpus or max(4, os.cpu_count() or 1)
        self.keep = keep
        self.directory = None
        self.processes = {}
        self.node = socket.gethostname().split(".")[0]

    # --- files ---------------------------------------------------------
    def path(self, *parts):
        return os.path.join(self.directory, *parts)

    def environment(self, base=None):
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = self.path("slurm.conf")
        for key in list(env):
            if key.startswith("SLURM_") and key != "SLURM_CONF":
                del env[key]
        return env

    def write_configuration(self):
        os.makedirs(self.path("state"))
        os.makedirs(self.path("spool"))
        os.makedirs(self.path("munge"), mode=0o700)
        conf = f"""# Single-node test cluster written by tests/slurm/slurm_cluster.py
ClusterName=dtbtest
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.path('munge', 'munge.socket')}
StateSaveLocation={self.path('state')}
SlurmdSpoolDir={self.path('spool')}
SlurmctldPidFile={self.path('slurmctld.pid')}
SlurmdPidFile={self.path('slurmd.pid')}
SlurmctldLogFile={self.path('slurmctld.log')}
SlurmdLogFile={self.path('slurmd.log')}
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
MinJobAge=300
KillWait=2
OverTimeLimit=0
InactiveLimit=0
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=30
MailProg=/bin/true
NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN
PartitionName=debug Nodes={self.node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
"""
        with open(self.path("slurm.conf"), "w") as f:
            f.write(conf)
        # No cgroups anywhere (proctrack/linuxproc, task/none), but slurmd
        # still reads cgroup.conf if present: make it inert.
        with open(self.path("cgroup.conf"), "w") as f:
            f.write("CgroupPlugin=autodetect\nIgnoreSystemd=yes\n")

    # --- daemons -------------------------------------------------------
    def start_daemon(self, name, argv, env=None):
        out = open(self.path(f"{name}.out"), "w")
        self.processes[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()

    def start_munge(self):
        key = self.path("munge", "munge.key")
        if find_program("mungekey"):
            subprocess.run([find_program("mungekey"), "--create", f"--keyfile={key}"], check=True,
                           capture_output=True)
        else:
            with open(key, "wb") as f:
                f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        self.start_daemon("munged", [find_program("munged"), "--foreground", "--force",
                                     f"--key-file={key}", f"--socket={self.path('munge', 'munge.socket')}",
                                     f"--pid-file={self.path('munge', 'munged.pid')}",
                                     f"--log-file={self.path('munge', 'munged.log')}",
                                     f"--seed-file={self.path('munge', 'munged.seed')}"])
        self.wait_for(lambda: os.path.exists(self.path("munge", "munge.socket")), 15, "munged to create its socket")

    def wait_for(self, condition, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            if condition():
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise ClusterUnavailable(f"{name} exited with {process.returncode} while waiting for {what}:\n"
                                             + self.tail(name))
            time.sleep(0.25)
        raise ClusterUnavailable(f"timed out waiting for {what}:\n" + self.tail("slurmctld") + self.tail("slurmd"))

    def tail(self, name, lines=30):
        text = ""
        for candidate in (self.path(f"{name}.log"), self.path(f"{name}.out"), self.path("munge", f"{name}.log")):
            if os.path.exists(candidate):
                with open(candidate, errors="replace") as f:
                    text += f"--- {candidate}\n" + "".join(f.readlines()[-lines:])
        return text

    def node_state(self):
        r = subprocess.run(["sinfo", "--noheader", "--Node", "--format=%T"], env=self.environment(),
                           capture_output=True, text=True, timeout=20)
        return r.stdout.strip() if r.returncode == 0 else ""

    def start(self):
        ensure_installed(self.log)
        self.directory = tempfile.mkdtemp(prefix="dtb-slurm-")
        os.chmod(self.directory, 0o755)  # slurmstepd and job steps read the config
        self.write_configuration()
        self.log(f"cluster in {self.directory}: node {self.node}, {self.cpus} CPUs")
        self.start_munge()
        env = self.environment()
        self.start_daemon("slurmctld", [find_program("slurmctld"), "-D", "-i", "-f", self.path("slurm.conf")], env)
        self.wait_for(lambda: subprocess.run(["scontrol", "ping"], env=env, capture_output=True,
                                             timeout=20).returncode == 0, 60, "slurmctld to answer")
        self.start_daemon("slurmd", [find_program("slurmd"), "-D", "-N", self.node, "-f", self.path("slurm.conf")],
                          env)
        self.wait_for(lambda: self.node_state().startswith("idle"), 90, "the node to be idle")
        self.log("node idle")
        return self

    def stop(self):
        if self.directory is None:
            return
        env = self.environment()
        if "slurmctld" in self.processes and self.processes["slurmctld"].poll() is None:
            subprocess.run(["scancel", "--full", "--user=" + str(os.getuid())], env=env, capture_output=True,
                           timeout=30)
            end = time.time() + 20
            while time.time() < end:
                r = subprocess.run(["squeue", "--noheader"], env=env, capture_output=True, text=True, timeout=20)
                if r.returncode != 0 or not r.stdout.strip():
                    break
                time.sleep(0.5)
        for name in ("slurmd", "slurmctld", "munged"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        if self.keep or os.environ.get("DTB_KEEP_TEST_FILES"):
            self.log(f"kept {self.directory}")
        else:
            shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.keep = True
            self.stop()
            raise

    def __exit__(self, *exc):
        if exc[0] is not None:
            self.keep = True
        self.stop()
        return False


if __name__ == "__main__":
    keep = "--keep" in sys.argv
    with SlurmCluster(keep=keep) as cluster:
        env = cluster.environment()
        print(subprocess.run(["sinfo"], env=env, capture_output=True, text=True).stdout)
        print(subprocess.run(["srun", "--mpi=list"], env=env, capture_output=True, text=True))
        r = subprocess.run(["srun", "-n", "2", "hostname"], env=env, capture_output=True, text=True, timeout=60)
        print(r)
