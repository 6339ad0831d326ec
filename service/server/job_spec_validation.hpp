#pragma once
// Checks a submitted JobSpec before it is queued: the model with the same
// defaults and checks `dtb run` applies (dtb::sim), the resources against the
// server's limits, the labels against their size rules. Problems are
// SpecErrors naming the field path from the request ("spec.simulation.model.
// populations[0].size"), which the service returns as INVALID_ARGUMENT.
#include <chrono>
#include <stdexcept>
#include <string>

#include "dtb/v1/job_spec.pb.h"

namespace dtb::service {

class SpecError : public std::runtime_error {
public:
    SpecError(std::string field_path, std::string message)
        : std::runtime_error(field_path + ": " + message)
        , field_path_(std::move(field_path))
        , message_(std::move(message))
    {
    }
    const std::string& field_path() const { return field_path_; }
    const std::string& message() const { return message_; }

private:
    std::string field_path_;
    std::string message_;
};

struct SpecLimits {
    int max_ranks = 1;
    std::chrono::seconds max_time_limit{7 * 24 * 3600};
};

/// Validates a simulation spec; throws SpecError. (Other job kinds are
/// rejected earlier as UNIMPLEMENTED.)
void validate_simulation_spec(const v1::JobSpec& spec, const SpecLimits& limits);

} // namespace dtb::service
