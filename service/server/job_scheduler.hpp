#pragma once
// Moves jobs through their states. One thread starts queued jobs, oldest
// first, while their ranks fit in the configured total (a job that does not
// fit waits, and so does everyone behind it), turns the runner's events into
// state changes in the job store, and carries out cancels. At startup it
// reconciles the store with reality: jobs whose process outlived a previous
// server are followed again, jobs whose process is gone are ended with a
// reason. Stopping leaves running processes alone (they are adopted at the
// next start).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "service/server/input_resolver.hpp"
#include "service/server/job_runner.hpp"
#include "service/server/job_store.hpp"

namespace dtb::service {

struct JobSchedulerOptions {
    std::string jobs_directory;     // one subdirectory per job id
    int max_ranks = 1;              // ranks of all running jobs together
    std::chrono::milliseconds poll_interval{200};
};

class JobScheduler {
public:
    /// `inputs` resolves the input files of a job when it starts.
    JobScheduler(JobStore& store, JobRunner& runner, const InputResolver& inputs, JobSchedulerOptions options);
    ~JobScheduler();
    JobScheduler(const JobScheduler&) = delete;
    JobScheduler& operator=(const JobScheduler&) = delete;

    /// The directory of a job's files.
    std::string job_directory(const std::string& job_id) const;

    /// Reconciles STARTING/RUNNING jobs after a restart. Call before start().
    void recover();

    void start();
    /// Ends the scheduling thread; processes keep running.
    void stop();

    /// A job was queued: look for work now.
    void wake();

    /// Ends a STARTING or RUNNING job (the store already has cancel_requested).
    void request_cancel(const std::string& job_id);

private:
    void run_loop();
    void start_queued_jobs();
    void start_job(const v1::Job& job);
    void apply(const RunnerEvent& event);
    void finish(const RunnerEvent& event);
    std::chrono::system_clock::time_point deadline_of(const v1::Job& job) const;

    JobStore& store_;
    JobRunner& runner_;
    const InputResolver& inputs_;
    JobSchedulerOptions options_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::deque<std::string> cancels_;
    std::thread thread_;
};

} // namespace dtb::service
