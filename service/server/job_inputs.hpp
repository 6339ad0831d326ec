#pragma once
// The input files of a job: which fields of each job kind are input
// references, resolved through the InputResolver to canonical absolute
// paths. The service resolves them at submit (to answer with the right
// status code) and the scheduler again when the job starts (to write them
// into the job's model or config file, or onto its command line).
#include <string>

#include "dtb/v1/job_spec.pb.h"
#include "service/server/input_resolver.hpp"

namespace dtb::service {

/// Resolved paths; empty where the spec names no file.
struct JobInputs {
    std::string brain_arrays;  // simulation: model.brain.arrays
    std::string atlas;         // brain_build
    std::string grey_matter;   // brain_build
    std::string density;       // brain_build
    std::string connectivity;  // brain_build (a file or a TVB directory)
    std::string model;         // assimilation: config.model
    std::string bold;          // assimilation: config.bold
};

/// Resolves every input reference of `spec` for a job of `owner`; throws
/// SpecError naming the field (see InputResolver::resolve).
JobInputs resolve_job_inputs(const v1::JobSpec& spec, const std::string& owner, const InputResolver& resolver);

} // namespace dtb::service
