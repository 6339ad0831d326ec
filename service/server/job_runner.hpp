#pragma once
// What the JobScheduler needs from a runner: start a job, follow one that
// outlived a previous server, cancel, and report what the jobs did. Two
// runners exist: LocalRunner (processes on this machine) and SlurmRunner
// (Slurm batch jobs). Runners are not thread-safe: the JobScheduler's thread
// is their only user.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"
#include "service/server/job_directory_layout.hpp"
#include "service/server/job_log_line.hpp"
#include "service/server/job_process.hpp"
#include "service/server/job_store.hpp"

namespace dtb::service {

/// Something a running job did.
struct RunnerEvent {
    enum class Kind { NetworkBuilt, Progress, BatchStateChanged, Finished };
    Kind kind = Kind::Progress;
    std::string job_id;
    JobLogLine progress;             // Progress
    // BatchStateChanged, and Finished for batch jobs: the batch system's own
    // view (Slurm's raw state such as PENDING or TIMEOUT, and its reason).
    std::string batch_state;
    std::string batch_reason;
    // Finished:
    ProcessExit exit;
    bool cancelled = false;          // ended after a cancel
    bool timed_out = false;          // ended after its time limit
    std::string error_message;       // the last "dtb: error:" line, else the last log line
    std::string failure_reason;      // set when the runner knows why it failed better than the exit code
    bool left_processes = false;     // processes outlived the leader and were killed
};

/// How a started job can be found again after a server restart.
struct JobLaunch {
    std::optional<ProcessIdentity> process; // LocalRunner: the session leader
    std::string batch_system;               // SlurmRunner: "slurm"
    std::string batch_job_id;               // SlurmRunner: the Slurm job id
    std::string description;                // for the server log ("process 123", "Slurm job 45")
};

class JobRunner {
public:
    virtual ~JobRunner() = default;

    /// Launches `job` in `job_directory`, where the caller has written its
    /// spec files: the `dtb` executable with `dtb_arguments`
    /// (dtb_command_line.hpp) over the job's ranks. Throws
    /// std::runtime_error if it cannot.
    virtual JobLaunch start(const v1::Job& job, const std::string& job_directory,
        const std::vector<std::string>& dtb_arguments, std::chrono::system_clock::time_point deadline) = 0;

    /// Follows a job that outlived a previous server (its recorded process,
    /// or its batch job id in `job`). False if it cannot be found any more.
    virtual bool adopt(const v1::Job& job, const std::optional<ProcessIdentity>& process,
        const std::string& job_directory, std::chrono::system_clock::time_point deadline) = 0;

    /// Ends the job (asynchronously: a Finished event follows).
    virtual void cancel(const std::string& job_id) = 0;

    /// Checks every job: new log lines, state changes, exits, time limits.
    virtual std::vector<RunnerEvent> poll() = 0;

    /// Ranks of this server's jobs that count against --max-ranks.
    virtual int ranks_in_use() const = 0;
};

} // namespace dtb::service
