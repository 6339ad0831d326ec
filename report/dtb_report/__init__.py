"""dtb_report: figures and one HTML page from the outputs of `dtb run`.

Usage: python3 -m dtb_report RUN_DIR [--out DIR]   (see docs/report.md)
"""

GENERATOR = "dtb_report"
FORMAT_VERSION = 1
