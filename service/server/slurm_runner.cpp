#include "service/server/slurm_runner.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <google/protobuf/util/time_util.h>

#include "service/server/atomic_file_write.hpp"
#include "service/server/server_log.hpp"
#include "service/server/slurm_job_state.hpp"

namespace dtb::service {

namespace {

namespace fs = std::filesystem;

double time_limit_of(const v1::Job& job)
{
    using google::protobuf::util::TimeUtil;
    return TimeUtil::DurationToMilliseconds(job.spec().resources().time_limit()) / 1000.0;
}

} // namespace

SlurmRunner::SlurmRunner(SlurmRunnerOptions options)
    : options_(std::move(options))
    , commands_(options_.commands)
{
}

JobLaunch SlurmRunner::start(const v1::Job& job, const std::string& job_directory,
    const std::vector<std::string>& dtb_arguments,
    std::chrono::system_clock::time_point /*deadline: counted from Slurm's start instead*/)
{
    const std::string script = slurm_batch_script_path(job_directory);
    write_file_atomically(script, slurm_batch_script(job, job_directory, dtb_arguments, options_.batch),
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::owner_exec);
    const std::string slurm_job_id = commands_.submit(script, job_directory);
    jobs_[job.id()] = std::make_unique<SlurmJob>(job.id(), slurm_job_id, job_directory, time_limit_of(job));
    JobLaunch launch;
    launch.batch_system = "slurm";
    launch.batch_job_id = slurm_job_id;
    launch.description = "Slurm job " + slurm_job_id;
    return launch;
}

bool SlurmRunner::adopt(const v1::Job& job, const std::optional<ProcessIdentity>& /*process*/,
    const std::string& job_directory, std::chrono::system_clock::time_point /*deadline*/)
{
    std::string slurm_job_id = job.batch().job_id();
    if (slurm_job_id.empty()) {
        // The server stopped between sbatch and recording the id: the job
        // name still finds it.
        const auto named = commands_.job_named(slurm_job_name(job.id()));
        if (!named)
            return false;
        slurm_job_id = *named;
        log_line("job " + job.id() + ": found its Slurm job " + slurm_job_id + " by name");
    }
    auto tracked = std::make_unique<SlurmJob>(job.id(), slurm_job_id, job_directory, time_limit_of(job));
    tracked->state = job.batch().state();
    tracked->reason = job.batch().reason();
    jobs_[job.id()] = std::move(tracked);
    return true;
}

void SlurmRunner::cancel(const std::string& job_id)
{
    const auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second->cancelled)
        return;
    it->second->cancelled = true;
    send_cancel(*it->second);
}

void SlurmRunner::send_cancel(SlurmJob& job)
{
    if (job.cancel_sent)
        return;
    job.cancel_sent = true;
    std::string error;
    if (!commands_.cancel(job.slurm_job_id, error))
        log_line("job " + job.job_id + ": scancel " + job.slurm_job_id + " failed: " + error);
}

RunnerEvent SlurmRunner::finished_event(SlurmJob& job, const std::optional<SlurmJobInfo>& info)
{
    RunnerEvent event;
    event.kind = RunnerEvent::Kind::Finished;
    event.job_id = job.job_id;
    event.cancelled = job.cancelled;
    event.timed_out = job.timed_out;
    event.error_message = job.log.error_message();
    if (!info) {
        // Slurm forgot the job and there is no accounting: the results
        // decide (the scheduler checks them), the exit code is unknown.
        event.batch_state = job.state;
        std::error_code error;
        if (!fs::is_regular_file(fs::path(job.job_directory) / "summary.json", error))
            event.failure_reason = "Slurm no longer knows its job " + job.slurm_job_id
                + " (and there is no accounting to ask); its results are incomplete";
        return event;
    }
    event.batch_state = info->state;
    event.batch_reason = info->reason;
    const SlurmJobState mapped = map_slurm_job_state(info->state);
    switch (mapped.final_state) {
    case v1::SUCCEEDED:
        event.exit.observed = true;
        event.exit.exit_code = info->exit_code.value_or(0);
        break;
    case v1::CANCELLED:
        // Also a cancel from outside the service (scancel by the user or an
        // admin), unless the service ended it for its time limit.
        if (!job.timed_out)
            event.cancelled = true;
        break;
    case v1::TIMED_OUT:
        event.timed_out = true;
        break;
    default:
        if (info->exit_signal) {
            event.exit.observed = true;
            event.exit.signal = info->exit_signal;
            event.exit.exit_code = 128 + *info->exit_signal;
        } else if (info->exit_code && *info->exit_code != 0) {
            event.exit.observed = true;
            event.exit.exit_code = info->exit_code;
        }
        if (!mapped.failure_reason.empty())
            event.failure_reason = mapped.failure_reason;
        else if (!event.exit.observed)
            event.failure_reason = "Slurm reports " + info->state;
        break;
    }
    return event;
}

bool SlurmRunner::follow(
    SlurmJob& job, const std::optional<SlurmJobInfo>& info, Clock::time_point now, std::vector<RunnerEvent>& events)
{
    job.log.read(false, events);
    if (!info)
        return false;
    job.unknown_since.reset();
    if (info->state != job.state || info->reason != job.reason) {
        job.state = info->state;
        job.reason = info->reason;
        RunnerEvent event;
        event.kind = RunnerEvent::Kind::BatchStateChanged;
        event.job_id = job.job_id;
        event.batch_state = info->state;
        event.batch_reason = info->reason;
        events.push_back(std::move(event));
    }
    const SlurmJobState mapped = map_slurm_job_state(info->state);
    if (mapped.phase == SlurmJobState::Phase::Running && !job.deadline) {
        // Counted from Slurm's start (time spent pending does not count).
        const double elapsed_s = info->elapsed_s.value_or(0);
        job.deadline = now
            + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(job.time_limit_s - elapsed_s));
    }
    if (mapped.phase == SlurmJobState::Phase::Running && job.deadline && now >= *job.deadline && !job.cancel_sent) {
        job.timed_out = true;
        send_cancel(job);
    }
    return mapped.phase == SlurmJobState::Phase::Ended;
}

std::vector<RunnerEvent> SlurmRunner::poll()
{
    std::vector<RunnerEvent> events;
    const auto now = Clock::now();
    if (jobs_.empty() || (last_query_ && now - *last_query_ < options_.query_interval)) {
        for (auto& [id, job] : jobs_)
            job->log.read(false, events);
        return events;
    }
    last_query_ = now;

    std::vector<std::string> slurm_ids;
    for (const auto& [id, job] : jobs_)
        slurm_ids.push_back(job->slurm_job_id);
    const auto queue = commands_.queue(slurm_ids);

    for (auto it = jobs_.begin(); it != jobs_.end();) {
        SlurmJob& job = *it->second;
        std::optional<SlurmJobInfo> info;
        if (queue) {
            const auto found = queue->find(job.slurm_job_id);
            if (found != queue->end())
                info = found->second;
        }
        // squeue has no exit code: ask scontrol (or sacct) about ended jobs
        // and about jobs squeue did not list.
        const bool ended_in_queue = info && map_slurm_job_state(info->state).phase == SlurmJobState::Phase::Ended;
        if (!info || ended_in_queue)
            info = commands_.job(job.slurm_job_id);
        const bool ended = follow(job, info, now, events);
        if (!info) {
            if (!job.unknown_since)
                job.unknown_since = now;
            if (now - *job.unknown_since < options_.lost_after) {
                ++it;
                continue;
            }
        } else if (!ended) {
            ++it;
            continue;
        }
        job.log.read(true, events);
        events.push_back(finished_event(job, info));
        it = jobs_.erase(it);
    }
    return events;
}

} // namespace dtb::service
