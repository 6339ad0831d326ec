#pragma once
// The files of a job's directory, which is also its results directory
// (`dtb ... --out JOB_DIRECTORY`): what the server writes there (the model
// of a simulation, the config of an assimilation, every job's log), and the
// output `dtb` puts into place last, whose presence means the results are
// complete.
#include <string>

#include "dtb/v1/job_spec.pb.h"

namespace dtb::service {

std::string job_model_path(const std::string& job_directory);
std::string job_config_path(const std::string& job_directory);
std::string job_log_path(const std::string& job_directory);

/// summary.json of `dtb run` and `dtb assimilate`, report.txt of `dtb
/// build-brain`.
std::string job_last_output_path(const v1::JobSpec& spec, const std::string& job_directory);

} // namespace dtb::service
