#include "service/server/job_store.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

namespace dtb::service {

namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

// 1: jobs; 2: + submissions (request ids of idempotent submits).
constexpr int schema_version = 2;

v1::Job parse_job(const std::string& bytes, const std::string& job_id)
{
    v1::Job job;
    if (!job.ParseFromString(bytes))
        throw SqliteError("job database: the record of job " + job_id + " cannot be parsed");
    return job;
}

std::string serialize_job(const v1::Job& job)
{
    std::string bytes;
    if (!job.SerializeToString(&bytes))
        throw SqliteError("job " + job.id() + ": cannot serialize the record");
    return bytes;
}

// "state IN (1,2,3)" for a list of enum values (integers, so no injection).
std::string state_condition(const std::vector<v1::JobState>& states)
{
    std::string condition = "state IN (";
    for (std::size_t i = 0; i < states.size(); ++i)
        condition += (i ? "," : "") + std::to_string(static_cast<int>(states[i]));
    return condition + ")";
}

} // namespace

JobStore::JobStore(const std::string& database_path)
    : database_(database_path)
{
    auto version_query = database_.prepare("PRAGMA user_version");
    version_query.step();
    const auto version = version_query.column_int64(0);
    if (version > schema_version)
        throw SqliteError(database_path + ": job database schema version " + std::to_string(version)
            + " is newer than this server's (" + std::to_string(schema_version) + ")");
    SqliteTransaction transaction(database_);
    database_.execute(R"sql(
        CREATE TABLE IF NOT EXISTS jobs (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            state INTEGER NOT NULL,
            record BLOB NOT NULL,
            process_id INTEGER,
            process_start_ticks INTEGER);
        CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs(owner, sequence);
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, sequence);
        CREATE TABLE IF NOT EXISTS submissions (
            owner TEXT NOT NULL,
            request_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            PRIMARY KEY (owner, request_id));
        PRAGMA user_version = 2;
    )sql");
    transaction.commit();
}

void JobStore::set_change_listener(ChangeListener listener)
{
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
}

v1::Job JobStore::insert(v1::Job job, const SubmissionLimits& limits)
{
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(database_);
    job = insert_locked(std::move(job), limits);
    transaction.commit();
    if (listener_)
        listener_(v1::Job{}, job);
    return job;
}

SubmittedJob JobStore::insert_once(v1::Job job, const SubmissionLimits& limits, const std::string& request_id)
{
    if (request_id.empty())
        return {insert(std::move(job), limits), true};
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(database_);
    auto earlier = database_.prepare(
        "SELECT jobs.id, jobs.record FROM submissions JOIN jobs ON jobs.id = submissions.job_id "
        "WHERE submissions.owner = ?1 AND submissions.request_id = ?2");
    earlier.bind(1, job.owner()).bind(2, request_id);
    if (earlier.step()) {
        v1::Job existing = parse_job(earlier.column_blob(1), earlier.column_text(0));
        if (!MessageDifferencer::Equals(existing.spec(), job.spec()))
            throw RequestIdReused("request_id '" + request_id + "' was already used for job " + existing.id()
                + " with a different spec");
        return {std::move(existing), false};
    }
    job = insert_locked(std::move(job), limits);
    database_.prepare("INSERT INTO submissions (owner, request_id, job_id) VALUES (?1, ?2, ?3)")
        .bind(1, job.owner())
        .bind(2, request_id)
        .bind(3, job.id())
        .run();
    transaction.commit();
    if (listener_)
        listener_(v1::Job{}, job);
    return {std::move(job), true};
}

v1::Job JobStore::insert_locked(v1::Job job, const SubmissionLimits& limits)
{
    auto queued = database_.prepare("SELECT COUNT(*) FROM jobs WHERE state = ?1");
    queued.bind(1, static_cast<std::int64_t>(v1::QUEUED)).step();
    if (queued.column_int64(0) >= limits.max_queued_jobs)
        throw QuotaExceeded("the job queue is full (" + std::to_string(limits.max_queued_jobs)
            + " queued jobs); try again later");
    auto active = database_.prepare("SELECT COUNT(*) FROM jobs WHERE owner = ?1 AND "
        + state_condition({v1::QUEUED, v1::STARTING, v1::RUNNING}));
    active.bind(1, job.owner()).step();
    if (active.column_int64(0) >= limits.max_active_jobs_per_user)
        throw QuotaExceeded("user " + job.owner() + " has " + std::to_string(active.column_int64(0))
            + " queued or running jobs, the quota is " + std::to_string(limits.max_active_jobs_per_user)
            + "; wait for some to finish or cancel them");

    const auto now = TimeUtil::GetCurrentTime();
    *job.mutable_created_at() = now;
    *job.mutable_updated_at() = now;
    job.set_version(1);
    database_.prepare("INSERT INTO jobs (id, owner, state, record) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, job.id())
        .bind(2, job.owner())
        .bind(3, static_cast<std::int64_t>(job.state()))
        .bind_blob(4, serialize_job(job))
        .run();
    return job;
}

std::optional<v1::Job> JobStore::find(const std::string& job_id)
{
    std::lock_guard lock(mutex_);
    auto query = database_.prepare("SELECT record FROM jobs WHERE id = ?1");
    query.bind(1, job_id);
    if (!query.step())
        return std::nullopt;
    return parse_job(query.column_blob(0), job_id);
}

JobPage JobStore::list(const JobQuery& query)
{
    std::string sql = "SELECT sequence, id, record FROM jobs WHERE 1";
    int parameter = 0;
    int owner_parameter = 0, before_parameter = 0;
    if (query.owner) {
        owner_parameter = ++parameter;
        sql += " AND owner = ?" + std::to_string(owner_parameter);
    }
    if (!query.states.empty())
        sql += " AND " + state_condition(query.states);
    if (query.before_sequence) {
        before_parameter = ++parameter;
        sql += " AND sequence < ?" + std::to_string(before_parameter);
    }
    // One row more than asked tells whether another page exists.
    sql += " ORDER BY sequence DESC LIMIT " + std::to_string(query.limit + 1);

    std::lock_guard lock(mutex_);
    auto statement = database_.prepare(sql);
    if (owner_parameter)
        statement.bind(owner_parameter, *query.owner);
    if (before_parameter)
        statement.bind(before_parameter, *query.before_sequence);
    JobPage page;
    std::int64_t last_sequence = 0;
    while (statement.step()) {
        if (static_cast<int>(page.jobs.size()) == query.limit) {
            page.next_before_sequence = last_sequence;
            break;
        }
        last_sequence = statement.column_int64(0);
        page.jobs.push_back(parse_job(statement.column_blob(2), statement.column_text(1)));
    }
    return page;
}

std::optional<v1::Job> JobStore::oldest_in_state(v1::JobState state)
{
    std::lock_guard lock(mutex_);
    auto query = database_.prepare("SELECT id, record FROM jobs WHERE state = ?1 ORDER BY sequence ASC LIMIT 1");
    query.bind(1, static_cast<std::int64_t>(state));
    if (!query.step())
        return std::nullopt;
    return parse_job(query.column_blob(1), query.column_text(0));
}

std::vector<v1::Job> JobStore::jobs_in_states(const std::vector<v1::JobState>& states)
{
    std::lock_guard lock(mutex_);
    auto statement = database_.prepare(
        "SELECT id, record FROM jobs WHERE " + state_condition(states) + " ORDER BY sequence ASC");
    std::vector<v1::Job> jobs;
    while (statement.step())
        jobs.push_back(parse_job(statement.column_blob(1), statement.column_text(0)));
    return jobs;
}

std::optional<v1::Job> JobStore::update(const std::string& job_id, const std::function<bool(v1::Job&)>& change)
{
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(database_);
    auto query = database_.prepare("SELECT record FROM jobs WHERE id = ?1");
    query.bind(1, job_id);
    if (!query.step())
        return std::nullopt;
    const v1::Job before = parse_job(query.column_blob(0), job_id);
    v1::Job after = before;
    if (!change(after))
        return before;
    after.set_version(before.version() + 1);
    *after.mutable_updated_at() = TimeUtil::GetCurrentTime();
    database_.prepare("UPDATE jobs SET state = ?2, record = ?3 WHERE id = ?1")
        .bind(1, job_id)
        .bind(2, static_cast<std::int64_t>(after.state()))
        .bind_blob(3, serialize_job(after))
        .run();
    transaction.commit();
    if (listener_)
        listener_(before, after);
    return after;
}

void JobStore::record_process(const std::string& job_id, const ProcessIdentity& process)
{
    std::lock_guard lock(mutex_);
    database_.prepare("UPDATE jobs SET process_id = ?2, process_start_ticks = ?3 WHERE id = ?1")
        .bind(1, job_id)
        .bind(2, process.pid)
        .bind(3, process.start_ticks)
        .run();
}

std::optional<ProcessIdentity> JobStore::process_of(const std::string& job_id)
{
    std::lock_guard lock(mutex_);
    auto query = database_.prepare("SELECT process_id, process_start_ticks FROM jobs WHERE id = ?1");
    query.bind(1, job_id);
    if (!query.step())
        return std::nullopt;
    const auto pid = query.column_optional_int64(0);
    const auto ticks = query.column_optional_int64(1);
    if (!pid || !ticks)
        return std::nullopt;
    return ProcessIdentity{*pid, *ticks};
}

} // namespace dtb::service
