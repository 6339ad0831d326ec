#pragma once
// Names of job states as users type and read them ("RUNNING", "running"),
// and which states are final.
#include <optional>
#include <string>

#include "dtb/v1/job.pb.h"

namespace dtb::service {

/// "QUEUED", "RUNNING", ... (the enum value names of dtb.v1.JobState).
std::string job_state_name(v1::JobState state);

/// Parses a state name, case-insensitively; nullopt for an unknown name.
std::optional<v1::JobState> parse_job_state(const std::string& text);

/// SUCCEEDED, FAILED, CANCELLED and TIMED_OUT: nothing changes afterwards.
bool is_final_state(v1::JobState state);

/// "QUEUED, STARTING, ..." for error messages.
std::string job_state_names();

} // namespace dtb::service
