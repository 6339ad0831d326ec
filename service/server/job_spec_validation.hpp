#pragma once
// Checks the values of a submitted JobSpec before it is queued: a
// simulation's model with the same defaults and checks `dtb run` applies
// (dtb::sim), a brain build's options with the ranges `dtb build-brain`
// applies (dtb::brain_options), the parts of an assimilation config that
// need no files (the rest is checked by `dtb assimilate` when the job
// starts), the resources against the server's limits, the labels against
// their size rules. Problems are SpecErrors naming the field path from the
// request ("spec.simulation.model.populations[0].size"), which the service
// returns as INVALID_ARGUMENT. The files a spec names are checked apart
// (job_input_resolution.hpp).
#include <chrono>

#include "dtb/v1/job_spec.pb.h"
#include "service/server/spec_error.hpp"

namespace dtb::service {

struct SpecLimits {
    int max_ranks = 1;
    std::chrono::seconds max_time_limit{7 * 24 * 3600};
};

/// Validates a spec of any kind; throws SpecError.
void validate_job_spec(const v1::JobSpec& spec, const SpecLimits& limits);

} // namespace dtb::service
