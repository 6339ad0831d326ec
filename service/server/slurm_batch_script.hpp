#pragma once
// The batch script the SlurmRunner submits for a job: #SBATCH directives
// (job name, tasks, GPUs and CPUs per task, time limit, output file,
// partition, account) and one launch of `dtb` over all tasks, through
// `srun --mpi=pmix` when Slurm has PMIx, else `mpirun` inside the
// allocation. The script is written into the job's directory as
// slurm_job.sh, where users and operators can read what ran.
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"

namespace dtb::service {

struct SlurmBatchOptions {
    std::string dtb_executable = "dtb";
    enum class Launcher { Srun, Mpirun } launcher = Launcher::Srun;
    std::string mpirun_executable = "mpirun";
    std::string partition;                  // empty: the cluster's default
    std::string account;                    // empty: the user's default
    int gpus_per_task = 0;                  // 0: none requested
    int cpus_per_task = 0;                  // 0: Slurm's default (1)
    std::vector<std::string> extra_directives; // e.g. "--qos=normal", one #SBATCH line each
};

/// The Slurm job name of a dtb job: "dtb-" + job id. The server finds a job
/// by this name if it stopped between sbatch and recording the Slurm id.
std::string slurm_job_name(const std::string& job_id);

/// Slurm's time limit in whole minutes (Slurm's granularity), rounded up.
long slurm_time_limit_minutes(double time_limit_s);

/// The script's text, launching `dtb` with `dtb_arguments`
/// (dtb_command_line.hpp). `job_directory` must not contain whitespace or
/// '%' (checked by the server at start-up).
std::string slurm_batch_script(const v1::Job& job, const std::string& job_directory,
    const std::vector<std::string>& dtb_arguments, const SlurmBatchOptions& options);

/// The script's path in the job directory.
std::string slurm_batch_script_path(const std::string& job_directory);

} // namespace dtb::service
