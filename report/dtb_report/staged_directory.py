"""The report directory appears complete or not at all: everything is written
into a hidden temporary directory next to it, which is renamed into place at
the end. A previous report in the same place is replaced only then; a
directory that is not a dtb report is never replaced."""
import json
import os
import shutil
import tempfile

from . import GENERATOR
from .input_error import InputError

REPORT_RECORD = "report.json"


def is_dtb_report(directory):
    """True for a directory this package wrote (its report.json says so)."""
    try:
        with open(os.path.join(directory, REPORT_RECORD), "r", encoding="utf-8") as f:
            return json.load(f).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def check_replaceable(out_dir):
    """Raises InputError unless out_dir is absent, empty or an earlier report."""
    if not os.path.lexists(out_dir):
        return
    if not os.path.isdir(out_dir) or os.path.islink(out_dir):
        raise InputError(out_dir, "exists and is not a directory (choose another --out)")
    if os.listdir(out_dir) and not is_dtb_report(out_dir):
        raise InputError(out_dir, "exists, is not empty and is not a dtb report: refusing to replace it "
                         "(choose another --out)")


class StagedDirectory:
    """with StagedDirectory(out) as temp: write into temp; then .commit()."""

    def __init__(self, out_dir):
        self.out_dir = os.path.abspath(out_dir)
        self.path = None

    def __enter__(self):
        parent = os.path.dirname(self.out_dir)
        try:
            os.makedirs(parent, exist_ok=True)
            self.path = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out_dir)}.tmp-", dir=parent)
        except OSError as e:
            raise OSError(f"{parent}: cannot create the report's temporary directory ({e.strerror})")
        return self.path

    def commit(self):
        os.chmod(self.path, 0o755)  # mkdtemp makes it private; a report is for reading
        if os.path.lexists(self.out_dir):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out_dir)}.old-",
                                   dir=os.path.dirname(self.out_dir))
            os.rename(self.out_dir, os.path.join(old, "report"))
            os.rename(self.path, self.out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.path, self.out_dir)
        self.path = None

    def __exit__(self, *exc):
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


def remove_stale_report(out_dir):
    """After a failed report, an earlier report in out_dir must not pass as
    this one (the same rule as `dtb run` follows for its files)."""
    if os.path.isdir(out_dir) and not os.path.islink(out_dir) and is_dtb_report(out_dir):
        shutil.rmtree(out_dir, ignore_errors=True)
