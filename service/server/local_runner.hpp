#pragma once
// Runs jobs as local processes: `dtb ...` directly for one rank, `mpirun -np
// N --oversubscribe dtb ...` for more. Each job is its own session; its log
// file is followed for progress; the time limit and cancel end every process
// of the session (SIGTERM, then SIGKILL after a grace period), and a job
// counts as ended only once no process of its session is left.
// Not thread-safe: the JobScheduler's thread is its only user.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"
#include "service/server/job_log_follower.hpp"
#include "service/server/job_process.hpp"
#include "service/server/job_runner.hpp"

namespace dtb::service {

struct LocalRunnerOptions {
    std::string dtb_executable = "dtb";
    std::string mpirun_executable = "mpirun";
    std::chrono::milliseconds kill_grace{10000};  // SIGTERM -> SIGKILL
};

class LocalRunner : public JobRunner {
public:
    explicit LocalRunner(LocalRunnerOptions options);

    /// Launches `dtb` with `dtb_arguments` for `job` in `job_directory`;
    /// throws std::runtime_error if it cannot be started.
    JobLaunch start(const v1::Job& job, const std::string& job_directory,
        const std::vector<std::string>& dtb_arguments, std::chrono::system_clock::time_point deadline) override;

    /// Follows a job process that outlived a previous server. False if the
    /// process is gone (or the pid now belongs to another program).
    bool adopt(const v1::Job& job, const std::optional<ProcessIdentity>& process,
        const std::string& job_directory, std::chrono::system_clock::time_point deadline) override;

    /// Ends the job's processes: SIGTERM now, SIGKILL after the grace.
    void cancel(const std::string& job_id) override;

    /// Checks every job: new log lines, exits, time limits, escalation.
    std::vector<RunnerEvent> poll() override;

    int ranks_in_use() const override;
    bool is_running(const std::string& job_id) const { return jobs_.count(job_id) != 0; }
    std::size_t size() const { return jobs_.size(); }

private:
    using Clock = std::chrono::steady_clock;
    struct RunningJob {
        RunningJob(std::string id, int job_ranks, JobProcess job_process, const std::string& log_file,
            std::chrono::system_clock::time_point job_deadline)
            : job_id(std::move(id))
            , ranks(job_ranks)
            , process(std::move(job_process))
            , log(job_id, log_file)
            , deadline(job_deadline)
        {
        }
        std::string job_id;
        int ranks = 1;
        JobProcess process;
        JobLogFollower log;
        std::chrono::system_clock::time_point deadline;
        bool cancelled = false;
        bool timed_out = false;
        std::optional<Clock::time_point> terminate_sent_at;
        bool kill_sent = false;
        std::optional<ProcessExit> leader_exit;
        std::optional<Clock::time_point> leader_exit_at;
        bool left_processes = false;
    };

    void terminate(RunningJob& job);
    RunnerEvent finished_event(RunningJob& job);

    LocalRunnerOptions options_;
    std::map<std::string, std::unique_ptr<RunningJob>> jobs_;
};

} // namespace dtb::service
