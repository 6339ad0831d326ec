#pragma once
// `dtb report RUN_DIR [--out DIR]`: figures and one HTML page from the
// outputs of a run (docs/report.md). The work is done by the Python package
// report/dtb_report, run as `/usr/bin/python3 -m dtb_report`.
#include <string>

namespace dtb::app {

struct ReportOptions {
    std::string run_dir;
    std::string out_dir; // empty: RUN_DIR/report
    std::string brain;   // brain.h5 or bundle directory; empty: found from the run's model
};

/// Runs the report and returns its exit code: 0 done, 2 bad input (the
/// message names the file), 1 failure (also when Python or the package
/// cannot be found), 128+N if the report was killed by signal N.
/// The package is looked up in $DTB_REPORT_PATH if set, else in the
/// source tree the executable was built from (DTB_SOURCE_DIR "/report").
int report_command(const ReportOptions& options);

} // namespace dtb::app
