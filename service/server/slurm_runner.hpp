#pragma once
// Runs jobs as Slurm batch jobs: writes the batch script into the job's
// directory, submits it with sbatch, and follows it with squeue (and
// `scontrol show job` / sacct for how it ended). Slurm's raw state is
// reported with every change (Job.batch.state); the job's log file, written
// by Slurm on a file system shared with the server, is followed for
// progress as the LocalRunner does. Cancel is scancel. Slurm's time limit
// is whole minutes, so the runner also enforces the job's exact limit
// itself (scancel once the job has run that long). After a server restart a
// job is followed again by its Slurm job id.
// Not thread-safe: the JobScheduler's thread is its only user.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "service/server/job_log_follower.hpp"
#include "service/server/job_runner.hpp"
#include "service/server/slurm_batch_script.hpp"
#include "service/server/slurm_commands.hpp"

namespace dtb::service {

struct SlurmRunnerOptions {
    SlurmBatchOptions batch;
    SlurmCommandsOptions commands;
    // How often Slurm is asked about the jobs (each time: one squeue).
    std::chrono::milliseconds query_interval{1000};
    // A job Slurm no longer knows (and accounting cannot tell) is given up
    // after this long.
    std::chrono::milliseconds lost_after{60000};
};

class SlurmRunner : public JobRunner {
public:
    explicit SlurmRunner(SlurmRunnerOptions options);

    JobLaunch start(const v1::Job& job, const std::string& job_directory,
        const std::vector<std::string>& dtb_arguments, std::chrono::system_clock::time_point deadline) override;
    bool adopt(const v1::Job& job, const std::optional<ProcessIdentity>& process,
        const std::string& job_directory, std::chrono::system_clock::time_point deadline) override;
    void cancel(const std::string& job_id) override;
    std::vector<RunnerEvent> poll() override;
    /// Slurm decides what fits: no rank counts against --max-ranks.
    int ranks_in_use() const override { return 0; }

private:
    using Clock = std::chrono::steady_clock;
    struct SlurmJob {
        SlurmJob(std::string id, std::string slurm_id, std::string directory, double limit_s)
            : job_id(std::move(id))
            , slurm_job_id(std::move(slurm_id))
            , job_directory(std::move(directory))
            , log(job_id, job_log_path(job_directory))
            , time_limit_s(limit_s)
        {
        }
        std::string job_id;
        std::string slurm_job_id;
        std::string job_directory;
        JobLogFollower log;
        double time_limit_s = 0;
        std::string state;  // raw Slurm state last reported
        std::string reason;
        std::optional<Clock::time_point> deadline; // set once Slurm runs it
        bool cancelled = false;
        bool timed_out = false;
        bool cancel_sent = false;
        std::optional<Clock::time_point> unknown_since;
    };

    void send_cancel(SlurmJob& job);
    bool follow(SlurmJob& job, const std::optional<SlurmJobInfo>& info, Clock::time_point now,
        std::vector<RunnerEvent>& events);
    RunnerEvent finished_event(SlurmJob& job, const std::optional<SlurmJobInfo>& info);

    SlurmRunnerOptions options_;
    SlurmCommands commands_;
    std::map<std::string, std::unique_ptr<SlurmJob>> jobs_;
    std::optional<Clock::time_point> last_query_;
};

} // namespace dtb::service
