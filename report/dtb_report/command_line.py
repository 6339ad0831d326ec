"""python3 -m dtb_report RUN_DIR [--out DIR]: the report's command line.

Exit codes as `dtb run`: 0 done, 2 bad input (the message names the file),
1 any other failure. Either way a failed report leaves no report.html."""
import argparse
import os
import signal
import sys

from .input_error import EXIT_BAD_INPUT, EXIT_FAILURE, InputError
from .report_builder import build_report, default_out_dir
from .sonata_spike_file import DEFAULT_BLOCK_SPIKES
from .staged_directory import remove_stale_report

PROGRAM = "dtb report"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{PROGRAM}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def parse_arguments(argv):
    parser = _Parser(prog=PROGRAM, description="Figures and one HTML page from the outputs of `dtb run` "
                     "(spikes.h5, rates.h5, summary.json; a brain bundle's brain.h5) and of `dtb assimilate` "
                     "(assimilation.h5). See docs/report.md.")
    parser.add_argument("run_dir", help="the --out directory of a dtb run")
    parser.add_argument("--out", "-o", help="report directory (default RUN_DIR/report); replaced only "
                        "if it is empty or an earlier report")
    parser.add_argument("--block-spikes", type=int, default=DEFAULT_BLOCK_SPIKES,
                        help="spikes read from spikes.h5 per slice (default %(default)s); "
                        "bounds the memory the report needs")
    parser.add_argument("--brain", metavar="PATH",
                        help="brain.h5 (or the bundle directory holding it) of a brain-bundle run; by default "
                        "found from summary.json's model file")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    arguments = parser.parse_args(argv)
    if arguments.block_spikes < 1:
        parser.error(f"--block-spikes must be >= 1, got {arguments.block_spikes}")
    return arguments


class Terminated(Exception):
    """SIGTERM (a cancelled job): unwind so the staging directory is removed."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv=None):
    signal.signal(signal.SIGTERM, _on_sigterm)
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    out_dir = os.path.abspath(arguments.out or default_out_dir(arguments.run_dir))

    def log(message):
        if not arguments.quiet:
            print(f"{PROGRAM}: {message}", file=sys.stderr, flush=True)

    try:
        page = build_report(arguments.run_dir, out_dir, arguments.block_spikes, log, brain=arguments.brain)
    except InputError as e:
        if e.path != out_dir:
            remove_stale_report(out_dir)
        print(f"{PROGRAM}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        remove_stale_report(out_dir)
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        print(f"{PROGRAM}: error: {where}{e.strerror or e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted; no report written", file=sys.stderr)
        return 128 + signal.SIGINT
    except Terminated:
        print(f"{PROGRAM}: terminated; no report written", file=sys.stderr)
        return 128 + signal.SIGTERM
    except Exception as e:  # a bug: say so in one line, and fail
        remove_stale_report(out_dir)
        print(f"{PROGRAM}: error: internal failure ({type(e).__name__}: {e})", file=sys.stderr)
        return EXIT_FAILURE
    print(page)
    return 0
