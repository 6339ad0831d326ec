#include "service/server/job_directory_layout.hpp"

namespace dtb::service {

std::string job_model_path(const std::string& job_directory) { return job_directory + "/model.yaml"; }

std::string job_config_path(const std::string& job_directory) { return job_directory + "/config.yaml"; }

std::string job_log_path(const std::string& job_directory) { return job_directory + "/dtb.log"; }

std::string job_last_output_path(const v1::JobSpec& spec, const std::string& job_directory)
{
    // The bundle writer commits report.txt after brain.h5 and model.yaml.
    if (spec.has_brain_build())
        return job_directory + "/report.txt";
    return job_directory + "/summary.json";
}

} // namespace dtb::service
