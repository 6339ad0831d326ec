#pragma once
// How dtbctl shows jobs: a detailed status block, a table row for `list`,
// JSON for scripts, and a one-line progress text for `watch`.
#include <ostream>
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"

namespace dtb::service {

/// Multi-line "id / state / reason / progress / times" block.
void print_job_status(std::ostream& out, const v1::Job& job);

/// The job as JSON (proto field names).
std::string job_json(const v1::Job& job);

/// A table of jobs with a header line.
void print_job_table(std::ostream& out, const std::vector<v1::Job>& jobs);

/// "RUNNING  simulate  40%  t = 200.0 / 500.0 ms  rtf 5.77  eta 2 s".
std::string progress_text(const v1::Job& job);

/// "[########------------]" for a fraction 0..1, `width` cells inside.
std::string progress_bar(double fraction, int width);

} // namespace dtb::service
