#pragma once
// Recent changes of each job, in version order, for WatchJob streams: the
// job store reports every committed change here, and watchers wait for
// changes newer than the version they have sent. Progress updates replace
// the previous progress update, so a slow watcher still sees every state
// change but not every progress line. Entries of finished jobs are dropped
// after a while (a watcher of a finished job reads the store).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "dtb/v1/simulation_service.pb.h"

namespace dtb::service {

class JobEventLog {
public:
    struct Event {
        v1::WatchJobResponse::Kind kind;
        v1::Job job;
    };

    /// Records the change from `before` to `after` (JobStore listener).
    void record(const v1::Job& before, const v1::Job& after);

    /// Events of `job_id` with a version above `after_version`, oldest first;
    /// waits up to `timeout` for one. Empty on timeout or once closed.
    std::vector<Event> wait_for_events(
        const std::string& job_id, std::uint64_t after_version, std::chrono::milliseconds timeout);

    /// Wakes every waiter and makes later waits return at once (shutdown).
    void close();
    bool closed() const;

private:
    void drop_expired(std::chrono::steady_clock::time_point now);

    static constexpr std::size_t max_events_per_job = 32;
    static constexpr std::chrono::seconds finished_retention{120};

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, std::deque<Event>> events_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> finished_;
    bool closed_ = false;
};

} // namespace dtb::service
