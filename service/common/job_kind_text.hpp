#pragma once
// How a job's kind and subject are shown in listings and logs: the kind is
// the JobSpec field that is set ("simulation", "brain_build",
// "assimilation"); the subject is what the job works on (a model's name, a
// brain build's atlas, an assimilation's model).
#include <string>

#include "dtb/v1/job_spec.pb.h"

namespace dtb::service {

/// "simulation", "brain_build", "assimilation", or "-" for a spec without a kind.
std::string job_kind_name(const v1::JobSpec& spec);

/// A simulation's model name, a brain build's atlas reference, an
/// assimilation's model reference.
std::string job_subject(const v1::JobSpec& spec);

} // namespace dtb::service
