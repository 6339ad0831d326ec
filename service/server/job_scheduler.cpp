#include "service/server/job_scheduler.hpp"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <google/protobuf/util/time_util.h>

#include "service/common/duration_text.hpp"
#include "service/common/job_state_text.hpp"
#include "service/server/dtb_command_line.hpp"
#include "service/server/job_spec_files.hpp"
#include "service/server/server_log.hpp"

namespace dtb::service {

namespace {

namespace fs = std::filesystem;
using google::protobuf::util::TimeUtil;

void set_final(v1::Job& job, v1::JobState state, const std::string& reason)
{
    job.set_state(state);
    job.set_reason(reason);
    *job.mutable_finished_at() = TimeUtil::GetCurrentTime();
    if (state == v1::SUCCEEDED) {
        job.mutable_progress()->set_fraction(1.0);
        job.mutable_progress()->set_eta_s(0);
    }
}

std::string signal_text(int signal)
{
    const char* name = ::sigabbrev_np(signal);
    return name != nullptr ? "SIG" + std::string(name) : "signal " + std::to_string(signal);
}

bool results_complete(const v1::JobSpec& spec, const std::string& job_directory)
{
    std::error_code error;
    return fs::is_regular_file(job_last_output_path(spec, job_directory), error);
}

} // namespace

JobScheduler::JobScheduler(JobStore& store, JobRunner& runner, const InputResolver& inputs, JobSchedulerOptions options)
    : store_(store)
    , runner_(runner)
    , inputs_(inputs)
    , options_(std::move(options))
{
}

JobScheduler::~JobScheduler() { stop(); }

std::string JobScheduler::job_directory(const std::string& job_id) const
{
    return options_.jobs_directory + "/" + job_id;
}

std::chrono::system_clock::time_point JobScheduler::deadline_of(const v1::Job& job) const
{
    const auto started = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(TimeUtil::TimestampToMilliseconds(job.started_at())));
    const auto limit = std::chrono::milliseconds(TimeUtil::DurationToMilliseconds(job.spec().resources().time_limit()));
    return started + limit;
}

void JobScheduler::recover()
{
    for (const v1::Job& job : store_.jobs_in_states({v1::STARTING, v1::RUNNING})) {
        const std::string directory = job_directory(job.id());
        const auto process = store_.process_of(job.id());
        if (runner_.adopt(job, process, directory, deadline_of(job))) {
            log_line("job " + job.id() + ": "
                + (process ? "process " + std::to_string(process->pid) : "its batch job")
                + " outlived the previous server; following it again");
            if (job.cancel_requested())
                runner_.cancel(job.id());
            continue;
        }
        // Members of its session may still run (mpirun ranks); the session
        // id cannot have been reused while they exist.
        if (process)
            signal_session(process->pid, SIGKILL);
        const bool complete = results_complete(job.spec(), directory);
        store_.update(job.id(), [&](v1::Job& record) {
            record.set_cancel_requested(false);
            if (!process)
                set_final(record, v1::FAILED, "the server stopped while starting the job; it never ran");
            else if (record.cancel_requested() && !complete)
                set_final(record, v1::CANCELLED, "cancelled; its process ended while the server was down");
            else if (complete)
                set_final(record, v1::SUCCEEDED,
                    "finished while the server was down (process " + std::to_string(process->pid)
                        + "); its results are complete but its exit code is unknown");
            else
                set_final(record, v1::FAILED,
                    "its process (" + std::to_string(process->pid)
                        + ") ended while the server was down, without complete results; exit code unknown");
            return true;
        });
        if (const auto record = store_.find(job.id()))
            log_line("job " + job.id() + ": its process was gone at restart; " + job_state_name(record->state()));
    }
}

void JobScheduler::start()
{
    std::lock_guard lock(mutex_);
    if (thread_.joinable())
        return;
    stopping_ = false;
    thread_ = std::thread([this]() { run_loop(); });
}

void JobScheduler::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void JobScheduler::wake()
{
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void JobScheduler::request_cancel(const std::string& job_id)
{
    {
        std::lock_guard lock(mutex_);
        cancels_.push_back(job_id);
        woken_ = true;
    }
    wake_.notify_all();
}

void JobScheduler::run_loop()
{
    for (;;) {
        std::deque<std::string> cancels;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, options_.poll_interval, [this]() { return woken_ || stopping_; });
            if (stopping_)
                return;
            woken_ = false;
            cancels.swap(cancels_);
        }
        try {
            start_queued_jobs();
            for (const auto& job_id : cancels)
                runner_.cancel(job_id);
            for (const RunnerEvent& event : runner_.poll())
                apply(event);
        } catch (const std::exception& e) {
            // A failing database or file system must not end scheduling for
            // good; the next round tries again.
            log_line(std::string("scheduler: ") + e.what());
        }
    }
}

void JobScheduler::start_queued_jobs()
{
    for (;;) {
        const auto queued = store_.oldest_in_state(v1::QUEUED);
        if (!queued)
            return;
        const v1::Job& oldest = *queued;
        const int ranks = std::max<int>(1, static_cast<int>(oldest.spec().resources().ranks()));
        if (ranks > options_.max_ranks) {
            // Queued under a larger --max-ranks before a restart: it would
            // block the queue for good.
            store_.update(oldest.id(), [&](v1::Job& job) {
                if (job.state() != v1::QUEUED)
                    return false;
                set_final(job, v1::FAILED,
                    "it needs " + std::to_string(ranks) + " ranks; this server now runs at most "
                        + std::to_string(options_.max_ranks) + " (--max-ranks)");
                return true;
            });
            continue;
        }
        if (runner_.ranks_in_use() + ranks > options_.max_ranks)
            return;
        start_job(oldest);
    }
}

void JobScheduler::start_job(const v1::Job& queued)
{
    const auto starting = store_.update(queued.id(), [](v1::Job& job) {
        if (job.state() != v1::QUEUED)
            return false;
        job.set_state(v1::STARTING);
        job.set_reason("");
        *job.mutable_started_at() = TimeUtil::GetCurrentTime();
        job.mutable_progress()->set_phase("build");
        return true;
    });
    if (!starting || starting->state() != v1::STARTING || starting->version() == queued.version())
        return;
    const std::string directory = job_directory(queued.id());
    try {
        fs::create_directories(directory);
        // Resolved again now: an input directory may have changed since the
        // submit (a referenced job's results cannot).
        const JobInputs inputs = resolve_job_inputs(starting->spec(), starting->owner(), inputs_);
        write_job_spec_files(*starting, directory, inputs);
        const JobLaunch launch
            = runner_.start(*starting, directory, dtb_arguments(*starting, directory, inputs), deadline_of(*starting));
        if (launch.process)
            store_.record_process(queued.id(), *launch.process);
        if (!launch.batch_job_id.empty())
            store_.update(queued.id(), [&](v1::Job& job) {
                job.mutable_batch()->set_system(launch.batch_system);
                job.mutable_batch()->set_job_id(launch.batch_job_id);
                return true;
            });
        log_line("job " + queued.id() + " of " + queued.owner() + ": started, " + launch.description);
    } catch (const std::exception& e) {
        log_line("job " + queued.id() + ": cannot start: " + e.what());
        store_.update(queued.id(), [&](v1::Job& job) {
            set_final(job, v1::FAILED, std::string("the server could not start it: ") + e.what());
            return true;
        });
    }
}

void JobScheduler::apply(const RunnerEvent& event)
{
    switch (event.kind) {
    case RunnerEvent::Kind::NetworkBuilt:
        store_.update(event.job_id, [](v1::Job& job) {
            if (job.state() != v1::STARTING)
                return false;
            job.set_state(v1::RUNNING);
            job.mutable_progress()->set_phase("built");
            *job.mutable_progress()->mutable_updated_at() = TimeUtil::GetCurrentTime();
            return true;
        });
        break;
    case RunnerEvent::Kind::Progress:
        store_.update(event.job_id, [&](v1::Job& job) {
            if (is_final_state(job.state()))
                return false;
            if (job.state() == v1::STARTING)
                job.set_state(v1::RUNNING);
            auto* progress = job.mutable_progress();
            progress->set_phase(event.progress.phase);
            progress->set_fraction(event.progress.fraction);
            progress->set_simulated_ms(event.progress.simulated_ms);
            progress->set_total_ms(event.progress.total_ms);
            progress->set_real_time_factor(event.progress.real_time_factor);
            progress->set_eta_s(event.progress.eta_s);
            *progress->mutable_updated_at() = TimeUtil::GetCurrentTime();
            return true;
        });
        break;
    case RunnerEvent::Kind::BatchStateChanged:
        store_.update(event.job_id, [&](v1::Job& job) {
            if (is_final_state(job.state()))
                return false;
            if (job.batch().state() == event.batch_state && job.batch().reason() == event.batch_reason)
                return false;
            job.mutable_batch()->set_state(event.batch_state);
            job.mutable_batch()->set_reason(event.batch_reason);
            return true;
        });
        break;
    case RunnerEvent::Kind::Finished:
        finish(event);
        break;
    }
}

void JobScheduler::finish(const RunnerEvent& event)
{
    const std::string directory = job_directory(event.job_id);
    const auto& exit = event.exit;
    const std::string detail = event.error_message.empty() ? "" : ": " + event.error_message;
    v1::JobState state = v1::FAILED;
    std::string reason;
    if (exit.observed && exit.exit_code == 0) {
        state = v1::SUCCEEDED;
    } else if (event.cancelled) {
        state = v1::CANCELLED;
    } else if (event.timed_out) {
        state = v1::TIMED_OUT;
    } else if (!event.failure_reason.empty()) {
        reason = event.failure_reason + detail;
    } else if (!exit.observed) {
        const auto stored = store_.find(event.job_id);
        if (stored && results_complete(stored->spec(), directory)) {
            state = v1::SUCCEEDED;
            reason = "its results are complete; its exit code is unknown (the process was adopted after a "
                     "server restart)";
        } else {
            reason = "its process ended without complete results; exit code unknown (the process was adopted "
                     "after a server restart)";
        }
    } else if (exit.signal) {
        reason = "dtb was killed by " + signal_text(*exit.signal) + detail;
    } else if (exit.exit_code == 2) {
        reason = "dtb rejected its input (model, config or files) or arguments (exit code 2)" + detail;
    } else {
        reason = "dtb failed with exit code " + std::to_string(exit.exit_code.value_or(-1)) + detail;
    }
    if (event.left_processes && !reason.empty())
        reason += " (processes it left behind were killed)";

    store_.update(event.job_id, [&](v1::Job& job) {
        if (is_final_state(job.state()))
            return false;
        std::string final_reason = reason;
        if (state == v1::CANCELLED) {
            const std::string requested = "cancel requested by ";
            final_reason = job.reason().rfind(requested, 0) == 0
                ? "cancelled by " + job.reason().substr(requested.size())
                : "cancelled";
        }
        if (state == v1::TIMED_OUT)
            final_reason = "exceeded its time limit of "
                + format_duration(TimeUtil::DurationToMilliseconds(job.spec().resources().time_limit()) / 1000.0)
                + "; its processes were terminated";
        if (!event.batch_state.empty() && state != v1::SUCCEEDED)
            final_reason += " (" + job.batch().system() + " job " + job.batch().job_id() + ": " + event.batch_state + ")";
        set_final(job, state, final_reason);
        job.set_cancel_requested(false);
        if (!event.batch_state.empty()) {
            job.mutable_batch()->set_state(event.batch_state);
            job.mutable_batch()->set_reason(event.batch_reason);
        }
        if (exit.observed && exit.exit_code)
            job.set_exit_code(*exit.exit_code);
        return true;
    });
    log_line("job " + event.job_id + ": " + job_state_name(state) + (reason.empty() ? "" : " (" + reason + ")"));
}

} // namespace dtb::service
