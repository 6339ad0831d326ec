#pragma once
// Writes the spec file a job's `dtb` reads into its directory: a
// simulation's model as model.yaml, an assimilation's config as config.yaml
// (a brain build has none: its options go on the command line). Input
// references in them are replaced by the resolved absolute paths, so `dtb`
// reads exactly the files the input policy allowed. Files are written under
// a temporary name and renamed when complete.
#include <string>

#include "dtb/v1/job.pb.h"
#include "service/server/job_inputs.hpp"

namespace dtb::service {

void write_job_spec_files(const v1::Job& job, const std::string& job_directory, const JobInputs& inputs);

} // namespace dtb::service
