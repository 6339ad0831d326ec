#pragma once
// The persistent record of every job: a SQLite database holding each
// dtb.v1.Job (serialized) with the columns queries need (owner, state,
// submission order) and the identity of its process. Every change is one
// transaction, so a crash leaves either the old or the new record.
// Thread-safe; changes are reported, in order, to a listener.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dtb/v1/job.pb.h"
#include "service/server/sqlite_database.hpp"

namespace dtb::service {

/// The process a job runs as: the leader of its own session (sid == pgid ==
/// pid), and its start time (clock ticks after boot, from
/// /proc/PID/stat) so that a reused pid is not mistaken for it.
struct ProcessIdentity {
    std::int64_t pid = 0;
    std::int64_t start_ticks = 0;
};

/// A submission would exceed the queue or a user's quota.
class QuotaExceeded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A request_id reused by the same user for a different spec.
class RequestIdReused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What insert_once() did: the job, and whether this call created it.
struct SubmittedJob {
    v1::Job job;
    bool created = true;
};

struct SubmissionLimits {
    std::int64_t max_queued_jobs = 1000;          // QUEUED jobs of all users
    std::int64_t max_active_jobs_per_user = 100;  // QUEUED, STARTING or RUNNING
};

struct JobQuery {
    std::optional<std::string> owner;   // nullopt: every owner
    std::vector<v1::JobState> states;   // empty: every state
    std::optional<std::int64_t> before_sequence; // page start (exclusive)
    int limit = 50;
};

struct JobPage {
    std::vector<v1::Job> jobs;                      // newest first
    std::optional<std::int64_t> next_before_sequence; // set when more remain
};

class JobStore {
public:
    /// Called after each committed change with the record before and after.
    using ChangeListener = std::function<void(const v1::Job& before, const v1::Job& after)>;

    explicit JobStore(const std::string& database_path);

    void set_change_listener(ChangeListener listener);

private:
    // insert()'s checks and INSERT, inside the caller's lock and transaction.
    v1::Job insert_locked(v1::Job job, const SubmissionLimits& limits);

public:
    /// Records a new job (id, owner, spec, state QUEUED filled in by the
    /// caller), checking `limits` in the same transaction. Sets created_at,
    /// updated_at and version. Throws QuotaExceeded.
    v1::Job insert(v1::Job job, const SubmissionLimits& limits);

    /// insert(), idempotent per (owner, request_id) (an empty request_id:
    /// plain insert(), created = true): if the owner already
    /// submitted with `request_id`, returns that job (created = false, no
    /// limits checked) — a client retrying after a lost reply gets the job
    /// its first call made. Throws RequestIdReused when that job's spec
    /// differs from `job`'s, QuotaExceeded as insert(). Remembered for as
    /// long as the job's record exists.
    SubmittedJob insert_once(v1::Job job, const SubmissionLimits& limits, const std::string& request_id);

    std::optional<v1::Job> find(const std::string& job_id);

    JobPage list(const JobQuery& query);

    /// The oldest submitted job in `state`.
    std::optional<v1::Job> oldest_in_state(v1::JobState state);

    /// Jobs in any of `states`, oldest submission first.
    std::vector<v1::Job> jobs_in_states(const std::vector<v1::JobState>& states);

    /// Applies `change` to the stored job in one transaction and returns the
    /// new record; `change` returns false to leave the record as it is.
    /// Bumps version and updated_at. nullopt if there is no such job.
    std::optional<v1::Job> update(const std::string& job_id, const std::function<bool(v1::Job&)>& change);

    void record_process(const std::string& job_id, const ProcessIdentity& process);
    std::optional<ProcessIdentity> process_of(const std::string& job_id);

private:
    std::mutex mutex_;
    SqliteDatabase database_;
    ChangeListener listener_;
};

} // namespace dtb::service
