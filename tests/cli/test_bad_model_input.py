#!/usr/bin/env python3
"""End-to-end: `dtb run` on a bad model file exits 2, names the file and the
field path on stderr, and creates no output.

Each bad model is a valid base model with exactly one fault, so the error has
to come from that fault. Run by ctest as
    python3 test_bad_model_input.py --dtb PATH_TO_DTB --source-dir REPO
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

ARGS = None

# Valid on its own: two iaf_psc_exp populations, one projection, one input.
BASE_MODEL = """\
name: bad_input_base
simulation: {{dt_ms: 0.1, t_stop_ms: 10}}
populations:
  - name: E
    size: {size}
    iaf_psc_exp: {{tau_m: {tau_m}}}
  - {{name: I, size: 5, iaf_psc_exp: {{}}}}
projections:
  - source: E
    target: {target}
    rule: fixed_indegree
    indegree: 2
    weight: 20
    delay_ms: {delay}
inputs:
  - {{name: drive, targets: [E, I], kind: poisson, rate_hz: 8, count: 10, weight: 20}}
"""

BASE_VALUES = {"size": "20", "tau_m": "10", "target": "I", "delay": "1.5"}


def model_text(**changes):
    values = dict(BASE_VALUES)
    values.update(changes)
    return BASE_MODEL.format(**values)


class BadModelInputTest(unittest.TestCase):
    def run_dtb(self, file_name, text, expected_fragments):
        """Writes `text` (None: no file at all) to a fresh directory, runs
        `dtb run` on it, and checks exit code, stderr and the lack of output."""
        with tempfile.TemporaryDirectory(prefix="dtb_bad_model_") as tmp:
            model_path = os.path.join(tmp, file_name)
            out_dir = os.path.join(tmp, "out")
            if text is not None:
                with open(model_path, "w", encoding="utf-8") as handle:
                    handle.write(text)
            before = sorted(os.listdir(tmp))
            # cwd is the temp dir so that stray files written there are seen.
            result = subprocess.run(
                [ARGS.dtb, "run", model_path, "--out", out_dir],
                cwd=tmp, capture_output=True, text=True, timeout=120)
            context = (f"\ncommand: {ARGS.dtb} run {model_path} --out {out_dir}"
                       f"\nexit code: {result.returncode}"
                       f"\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
            self.assertEqual(result.returncode, 2, "exit code must be 2" + context)
            self.assertIn("dtb: error:", result.stderr, context)
            self.assertIn(model_path, result.stderr, "stderr must name the model file" + context)
            for fragment in expected_fragments:
                self.assertIn(fragment, result.stderr, context)
            self.assertFalse(os.path.exists(out_dir), "the output directory must not be created" + context)
            self.assertEqual(sorted(os.listdir(tmp)), before,
                             "nothing may be created next to the model" + context)

    def test_unknown_field(self):
        text = model_text().replace("tau_m: 10", "tau_mm: 10")
        self.run_dtb("unknown_field.yaml", text,
                     ["populations[0].iaf_psc_exp.tau_mm", "unknown field 'tau_mm'", "tau_m"])

    def test_wrong_type(self):
        text = model_text().replace("dt_ms: 0.1", "dt_ms: fast")
        self.run_dtb("wrong_type.yaml", text, ["simulation.dt_ms", "expected a number"])

    def test_wrong_type_in_json(self):
        text = ('{"populations": [{"name": "E", "size": "20", "iaf_psc_exp": {}}],'
                ' "simulation": {"dt_ms": 0.1}}')
        self.run_dtb("wrong_type.json", text,
                     ["populations[0].size", "expected a non-negative integer"])

    def test_nan(self):
        self.run_dtb("nan.yaml", model_text(tau_m=".nan"),
                     ["populations[0].iaf_psc_exp.tau_m", "must be a finite number"])

    def test_negative_size(self):
        self.run_dtb("negative_size.yaml", model_text(size="-5"),
                     ["populations[0].size", "non-negative integer", "-5"])

    def test_delay_below_dt(self):
        self.run_dtb("short_delay.yaml", model_text(delay="0.05"),
                     ["projections[0].delay_ms", "delay 0.05 ms is below dt = 0.1 ms"])

    def test_unknown_population(self):
        self.run_dtb("unknown_population.yaml", model_text(target="X"),
                     ["projections[0].target", "unknown population 'X'", "E, I"])

    def test_malformed_yaml(self):
        text = model_text().replace("rule: fixed_indegree", "rule: [fixed_indegree")
        self.run_dtb("malformed.yaml", text, ["YAML syntax error", "line "])

    def test_missing_file(self):
        self.run_dtb("does_not_exist.yaml", None, ["No such file or directory"])


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtb", required=True, help="path to the dtb executable")
    parser.add_argument("--source-dir", required=True, help="repository root")
    ARGS, rest = parser.parse_known_args()
    ARGS.dtb = os.path.abspath(ARGS.dtb)
    if not os.access(ARGS.dtb, os.X_OK):
        print(f"test_bad_model_input: {ARGS.dtb} is not an executable", file=sys.stderr)
        return 1
    program = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
