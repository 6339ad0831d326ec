#pragma once
// Which `dtb` subcommand a job runs, with which arguments: the one place
// that knows, used by every runner (the local runner puts the executable and
// `mpirun` in front, the Slurm runner writes it into the batch script after
// `srun` or `mpirun`). The job's directory is its results directory:
//   simulation    run JOB_DIR/model.yaml --out JOB_DIR [--warmup-ms MS]
//   brain build   build-brain --atlas PATH [...] --neurons N [...] --out JOB_DIR
//   assimilation  assimilate JOB_DIR/config.yaml --out JOB_DIR
// Input files appear as the resolved absolute paths (JobInputs); the model
// and config files are written by write_job_spec_files.
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"
#include "service/server/job_inputs.hpp"

namespace dtb::service {

/// The arguments after the `dtb` executable. Throws std::runtime_error for a
/// spec without a job kind.
std::vector<std::string> dtb_arguments(const v1::Job& job, const std::string& job_directory, const JobInputs& inputs);

} // namespace dtb::service
