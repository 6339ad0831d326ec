#include "service/server/local_runner.hpp"

#include <csignal>
#include <unistd.h>

extern char** environ;

namespace dtb::service {

namespace {

// Processes left after the leader ended get this long after SIGKILL to go.
constexpr std::chrono::seconds leftover_exit_wait{5};

int ranks_of(const v1::Job& job) { return std::max<int>(1, static_cast<int>(job.spec().resources().ranks())); }

LaunchCommand job_command(const v1::Job& job, const std::string& job_directory,
    const std::vector<std::string>& dtb_arguments, const LocalRunnerOptions& options)
{
    LaunchCommand command;
    const int ranks = ranks_of(job);
    if (ranks > 1)
        command.argv = {options.mpirun_executable, "-np", std::to_string(ranks), "--oversubscribe"};
    command.argv.push_back(options.dtb_executable);
    command.argv.insert(command.argv.end(), dtb_arguments.begin(), dtb_arguments.end());
    for (char** variable = environ; *variable != nullptr; ++variable)
        command.environment.emplace_back(*variable);
    if (ranks > 1 && ::geteuid() == 0) {
        command.environment.emplace_back("OMPI_ALLOW_RUN_AS_ROOT=1");
        command.environment.emplace_back("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
    }
    command.working_directory = job_directory;
    command.log_path = job_log_path(job_directory);
    return command;
}

} // namespace

LocalRunner::LocalRunner(LocalRunnerOptions options)
    : options_(std::move(options))
{
}

JobLaunch LocalRunner::start(const v1::Job& job, const std::string& job_directory,
    const std::vector<std::string>& dtb_arguments, std::chrono::system_clock::time_point deadline)
{
    JobProcess process = JobProcess::launch(job_command(job, job_directory, dtb_arguments, options_));
    const ProcessIdentity identity = process.identity();
    jobs_[job.id()] = std::make_unique<RunningJob>(job.id(), ranks_of(job), process, job_log_path(job_directory), deadline);
    JobLaunch launch;
    launch.process = identity;
    launch.description = "process " + std::to_string(identity.pid);
    return launch;
}

bool LocalRunner::adopt(const v1::Job& job, const std::optional<ProcessIdentity>& identity,
    const std::string& job_directory, std::chrono::system_clock::time_point deadline)
{
    if (!identity)
        return false;
    // The job directory is in the command line of every job process.
    auto process = JobProcess::adopt(*identity, job_directory);
    if (!process)
        return false;
    jobs_[job.id()] = std::make_unique<RunningJob>(job.id(), ranks_of(job), *process, job_log_path(job_directory), deadline);
    return true;
}

void LocalRunner::cancel(const std::string& job_id)
{
    const auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second->cancelled)
        return;
    it->second->cancelled = true;
    terminate(*it->second);
}

void LocalRunner::terminate(RunningJob& job)
{
    if (job.terminate_sent_at)
        return;
    job.terminate_sent_at = Clock::now();
    job.process.signal_all(SIGTERM);
}

int LocalRunner::ranks_in_use() const
{
    int ranks = 0;
    for (const auto& [id, job] : jobs_)
        ranks += job->ranks;
    return ranks;
}

RunnerEvent LocalRunner::finished_event(RunningJob& job)
{
    RunnerEvent event;
    event.kind = RunnerEvent::Kind::Finished;
    event.job_id = job.job_id;
    event.exit = job.leader_exit.value_or(ProcessExit{});
    event.cancelled = job.cancelled;
    event.timed_out = job.timed_out;
    event.left_processes = job.left_processes;
    event.error_message = job.log.error_message();
    return event;
}

std::vector<RunnerEvent> LocalRunner::poll()
{
    std::vector<RunnerEvent> events;
    const auto now = Clock::now();
    const auto wall_now = std::chrono::system_clock::now();
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        RunningJob& job = *it->second;
        if (!job.leader_exit) {
            if (auto exit = job.process.poll_leader_exit()) {
                job.leader_exit = exit;
                job.leader_exit_at = now;
            }
        }
        job.log.read(job.leader_exit.has_value(), events);

        if (!job.leader_exit) {
            if (!job.terminate_sent_at && wall_now >= job.deadline) {
                job.timed_out = true;
                terminate(job);
            }
            if (job.terminate_sent_at && !job.kill_sent && now - *job.terminate_sent_at >= options_.kill_grace) {
                job.kill_sent = true;
                job.process.signal_all(SIGKILL);
            }
            ++it;
            continue;
        }
        // The leader has ended; the job ends when its whole session has.
        if (job.process.any_alive()) {
            if (!job.left_processes) {
                job.left_processes = true;
                job.process.signal_all(SIGKILL);
            }
            if (now - *job.leader_exit_at < leftover_exit_wait) {
                ++it;
                continue;
            }
        }
        events.push_back(finished_event(job));
        it = jobs_.erase(it);
    }
    return events;
}

} // namespace dtb::service
