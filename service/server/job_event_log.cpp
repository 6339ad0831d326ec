#include "service/server/job_event_log.hpp"

#include "service/common/job_state_text.hpp"
#include "service/server/job_view.hpp"

namespace dtb::service {

void JobEventLog::record(const v1::Job& before, const v1::Job& after)
{
    const bool state_changed = before.state() != after.state();
    const auto kind = state_changed ? v1::WatchJobResponse::STATE_CHANGED : v1::WatchJobResponse::PROGRESS;
    v1::Job job = after;
    // Watch streams carry the basic view: the model can be megabytes.
    reduce_to_basic_view(job);
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        drop_expired(now);
        auto& events = events_[after.id()];
        if (!events.empty() && kind == v1::WatchJobResponse::PROGRESS
            && events.back().kind == v1::WatchJobResponse::PROGRESS)
            events.back() = Event{kind, std::move(job)};
        else
            events.push_back(Event{kind, std::move(job)});
        while (events.size() > max_events_per_job)
            events.pop_front();
        if (state_changed && is_final_state(after.state()))
            finished_.emplace_back(now + finished_retention, after.id());
    }
    changed_.notify_all();
}

std::vector<JobEventLog::Event> JobEventLog::wait_for_events(
    const std::string& job_id, std::uint64_t after_version, std::chrono::milliseconds timeout)
{
    auto newer = [&]() {
        std::vector<Event> found;
        const auto it = events_.find(job_id);
        if (it == events_.end())
            return found;
        for (const auto& event : it->second)
            if (event.job.version() > after_version)
                found.push_back(event);
        return found;
    };
    std::unique_lock lock(mutex_);
    std::vector<Event> found;
    changed_.wait_for(lock, timeout, [&]() {
        if (closed_)
            return true;
        found = newer();
        return !found.empty();
    });
    if (closed_)
        return {};
    return found;
}

void JobEventLog::close()
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

bool JobEventLog::closed() const
{
    std::lock_guard lock(mutex_);
    return closed_;
}

void JobEventLog::drop_expired(std::chrono::steady_clock::time_point now)
{
    while (!finished_.empty() && finished_.front().first <= now) {
        events_.erase(finished_.front().second);
        finished_.pop_front();
    }
}

} // namespace dtb::service
