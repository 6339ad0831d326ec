#include "service/server/simulation_service_handler.hpp"
#include "service/server/request_id.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <unistd.h>

#include <google/protobuf/util/time_util.h>

#include "service/common/job_kind_text.hpp"
#include "service/common/job_state_text.hpp"
#include "service/server/job_id.hpp"
#include "service/server/job_inputs.hpp"
#include "service/server/job_view.hpp"
#include "service/server/result_files.hpp"
#include "service/server/server_log.hpp"

namespace dtb::service {

namespace {

constexpr std::uint32_t default_page_size = 50;
constexpr std::uint32_t max_page_size = 500;
constexpr std::uint32_t default_chunk_bytes = 1u << 20;
constexpr std::uint32_t min_chunk_bytes = 4u << 10;
constexpr std::uint32_t max_chunk_bytes = 2u << 20; // under gRPC's default 4 MiB message limit
constexpr std::size_t max_requested_paths = 1000;

// Request text echoed in a message is cut short and kept printable.
std::string shown(const std::string& text)
{
    std::string out;
    for (const char c : text.substr(0, 100))
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return text.size() > 100 ? out + "..." : out;
}

std::string bearer_token(const grpc::ServerContext& context)
{
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find("authorization");
    if (it == metadata.end())
        return {};
    const std::string value(it->second.data(), it->second.size());
    const std::string scheme = "bearer ";
    if (value.size() <= scheme.size())
        return {};
    std::string prefix = value.substr(0, scheme.size());
    std::transform(prefix.begin(), prefix.end(), prefix.begin(),
        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (prefix != scheme)
        return {};
    return value.substr(scheme.size());
}

grpc::StatusCode status_code_of(SpecError::Kind kind)
{
    switch (kind) {
    case SpecError::Kind::NotFound:
        return grpc::StatusCode::NOT_FOUND;
    case SpecError::Kind::PermissionDenied:
        return grpc::StatusCode::PERMISSION_DENIED;
    case SpecError::Kind::FailedPrecondition:
        return grpc::StatusCode::FAILED_PRECONDITION;
    case SpecError::Kind::Invalid:
        break;
    }
    return grpc::StatusCode::INVALID_ARGUMENT;
}

// Runs a handler body; an unexpected exception becomes INTERNAL with its
// text (and a server log line) instead of a dropped connection.
template <typename Body>
grpc::Status guarded(const char* rpc, Body&& body)
{
    try {
        return body();
    } catch (const std::exception& e) {
        log_line(std::string(rpc) + ": internal error: " + e.what());
        return grpc::Status(grpc::StatusCode::INTERNAL, std::string(rpc) + ": " + e.what());
    }
}

} // namespace

SimulationServiceHandler::SimulationServiceHandler(JobStore& store, JobEventLog& events, JobScheduler& scheduler,
    const InputResolver& inputs, const ReloadableTokens* tokens, ServiceLimits limits)
    : store_(store)
    , events_(events)
    , scheduler_(scheduler)
    , inputs_(inputs)
    , tokens_(tokens)
    , limits_(limits)
{
}

grpc::Status SimulationServiceHandler::authenticate(const grpc::ServerContext& context, Caller& caller) const
{
    if (tokens_ == nullptr) {
        caller = Caller{"local", false};
        return grpc::Status::OK;
    }
    const std::string token = bearer_token(context);
    if (token.empty())
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
            "missing 'authorization: Bearer TOKEN' metadata (dtbctl: --token or DTB_TOKEN)");
    const auto found = tokens_->authenticate(token);
    if (!found)
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the bearer token is not valid");
    caller = *found;
    return grpc::Status::OK;
}

grpc::Status SimulationServiceHandler::find_visible_job(
    const grpc::ServerContext& context, const std::string& job_id, Caller& caller, v1::Job& job)
{
    if (auto status = authenticate(context, caller); !status.ok())
        return status;
    if (job_id.empty())
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "job_id: required");
    if (!is_well_formed_job_id(job_id))
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
            "job_id: '" + shown(job_id) + "' is not a job id (they look like j-0123456789abcdef)");
    auto found = store_.find(job_id);
    if (!found)
        return grpc::Status(grpc::StatusCode::NOT_FOUND, "job " + job_id + " does not exist");
    if (!caller.admin && found->owner() != caller.user)
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
            "job " + job_id + " belongs to another user; " + caller.user + " may only see their own jobs");
    job = std::move(*found);
    return grpc::Status::OK;
}

grpc::Status SimulationServiceHandler::SubmitJob(
    grpc::ServerContext* context, const v1::SubmitJobRequest* request, v1::Job* reply)
{
    return guarded("SubmitJob", [&]() {
        Caller caller;
        if (auto status = authenticate(*context, caller); !status.ok())
            return status;
        const v1::JobSpec& spec = request->spec();
        if (auto problem = request_id_problem(request->request_id()))
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request_id: " + *problem);
        try {
            validate_job_spec(spec, limits_.spec);
            resolve_job_inputs(spec, caller.user, inputs_);
        } catch (const SpecError& e) {
            return grpc::Status(status_code_of(e.kind()), e.what());
        }

        v1::Job job;
        job.set_id(new_job_id());
        job.set_owner(caller.user);
        *job.mutable_spec() = spec;
        job.set_state(v1::QUEUED);
        auto* limit = job.mutable_spec()->mutable_resources()->mutable_time_limit();
        if (limit->seconds() == 0 && limit->nanos() == 0)
            limit->set_seconds(limits_.default_time_limit.count());
        if (job.spec().resources().ranks() == 0)
            job.mutable_spec()->mutable_resources()->set_ranks(1);
        const std::string& request_id = request->request_id();
        SubmittedJob submitted;
        try {
            submitted = store_.insert_once(std::move(job), limits_.submission, request_id);
        } catch (const QuotaExceeded& e) {
            return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, e.what());
        } catch (const RequestIdReused& e) {
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string("request_id: ") + e.what());
        }
        job = std::move(submitted.job);
        if (submitted.created) {
            log_line("job " + job.id() + " of " + caller.user + ": queued (" + job_kind_name(spec) + " of '"
                + shown(job_subject(spec)) + "', ranks " + std::to_string(job.spec().resources().ranks()) + ")");
            scheduler_.wake();
        } else {
            log_line("job " + job.id() + " of " + caller.user + ": submitted again with request_id '" + request_id
                + "'; the existing job answered");
        }
        reduce_to_basic_view(job);
        *reply = std::move(job);
        return grpc::Status::OK;
    });
}

grpc::Status SimulationServiceHandler::GetJob(
    grpc::ServerContext* context, const v1::GetJobRequest* request, v1::Job* reply)
{
    return guarded("GetJob", [&]() {
        Caller caller;
        v1::Job job;
        if (auto status = find_visible_job(*context, request->job_id(), caller, job); !status.ok())
            return status;
        if (request->view() == v1::JOB_VIEW_BASIC)
            reduce_to_basic_view(job);
        *reply = std::move(job);
        return grpc::Status::OK;
    });
}

grpc::Status SimulationServiceHandler::ListJobs(
    grpc::ServerContext* context, const v1::ListJobsRequest* request, v1::ListJobsResponse* reply)
{
    return guarded("ListJobs", [&]() {
        Caller caller;
        if (auto status = authenticate(*context, caller); !status.ok())
            return status;
        JobQuery query;
        if (caller.admin) {
            if (!request->owner().empty())
                query.owner = request->owner();
        } else {
            if (!request->owner().empty() && request->owner() != caller.user)
                return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                    "owner: only an admin may list another user's jobs");
            query.owner = caller.user;
        }
        for (const int state : request->states()) {
            if (!v1::JobState_IsValid(state) || state == v1::JOB_STATE_UNSPECIFIED)
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                    "states: " + std::to_string(state) + " is not a job state (" + job_state_names() + ")");
            query.states.push_back(static_cast<v1::JobState>(state));
        }
        if (request->page_size() > max_page_size)
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                "page_size: " + std::to_string(request->page_size()) + " is over the maximum of "
                    + std::to_string(max_page_size));
        query.limit = static_cast<int>(request->page_size() == 0 ? default_page_size : request->page_size());
        if (!request->page_token().empty()) {
            const std::string& token = request->page_token();
            const bool digits = token.size() <= 18
                && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits)
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                    "page_token: '" + shown(token) + "' is not a token this server gave out");
            query.before_sequence = std::stoll(token);
        }
        JobPage page = store_.list(query);
        for (auto& job : page.jobs) {
            if (request->view() != v1::JOB_VIEW_FULL)
                reduce_to_basic_view(job);
            *reply->add_jobs() = std::move(job);
        }
        if (page.next_before_sequence)
            reply->set_next_page_token(std::to_string(*page.next_before_sequence));
        return grpc::Status::OK;
    });
}

grpc::Status SimulationServiceHandler::WatchJob(grpc::ServerContext* context, const v1::WatchJobRequest* request,
    grpc::ServerWriter<v1::WatchJobResponse>* writer)
{
    return guarded("WatchJob", [&]() {
        Caller caller;
        v1::Job job;
        if (auto status = find_visible_job(*context, request->job_id(), caller, job); !status.ok())
            return status;
        const auto send = [&](v1::WatchJobResponse::Kind kind, v1::Job record) {
            reduce_to_basic_view(record);
            v1::WatchJobResponse response;
            response.set_kind(kind);
            *response.mutable_job() = std::move(record);
            return writer->Write(response);
        };
        const auto client_gone = grpc::Status(grpc::StatusCode::CANCELLED, "the client ended the watch");
        std::uint64_t sent_version = job.version();
        v1::JobState sent_state = job.state();
        if (!send(v1::WatchJobResponse::CURRENT, job))
            return client_gone;
        auto last_sent = std::chrono::steady_clock::now();
        while (!is_final_state(sent_state)) {
            if (context->IsCancelled())
                return client_gone;
            const auto events = events_.wait_for_events(request->job_id(), sent_version, std::chrono::seconds(1));
            if (events_.closed())
                return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down; watch again later");
            for (const auto& event : events) {
                if (!send(event.kind, event.job))
                    return client_gone;
                sent_version = event.job.version();
                sent_state = event.job.state();
                last_sent = std::chrono::steady_clock::now();
                if (is_final_state(sent_state))
                    break;
            }
            if (is_final_state(sent_state) || std::chrono::steady_clock::now() - last_sent < limits_.watch_refresh)
                continue;
            // Nothing arrived for a while: send the stored record. It also
            // catches a change whose event was dropped.
            auto current = store_.find(request->job_id());
            if (!current)
                return grpc::Status(grpc::StatusCode::NOT_FOUND, "job " + request->job_id() + " no longer exists");
            const auto kind = current->state() != sent_state ? v1::WatchJobResponse::STATE_CHANGED
                                                             : v1::WatchJobResponse::CURRENT;
            sent_version = std::max(sent_version, current->version());
            sent_state = current->state();
            if (!send(kind, *current))
                return client_gone;
            last_sent = std::chrono::steady_clock::now();
        }
        return grpc::Status::OK;
    });
}

grpc::Status SimulationServiceHandler::CancelJob(
    grpc::ServerContext* context, const v1::CancelJobRequest* request, v1::Job* reply)
{
    return guarded("CancelJob", [&]() {
        Caller caller;
        v1::Job job;
        if (auto status = find_visible_job(*context, request->job_id(), caller, job); !status.ok())
            return status;
        v1::JobState state_seen = v1::JOB_STATE_UNSPECIFIED;
        const auto updated = store_.update(request->job_id(), [&](v1::Job& record) {
            state_seen = record.state();
            if (is_final_state(record.state()))
                return false;
            if (record.state() == v1::QUEUED) {
                record.set_state(v1::CANCELLED);
                record.set_reason("cancelled by " + caller.user + " while queued");
                *record.mutable_finished_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
                return true;
            }
            if (record.cancel_requested())
                return false;
            record.set_cancel_requested(true);
            record.set_reason("cancel requested by " + caller.user);
            return true;
        });
        if (!updated)
            return grpc::Status(grpc::StatusCode::NOT_FOUND, "job " + request->job_id() + " does not exist");
        if (is_final_state(state_seen))
            return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                "job " + request->job_id() + " has already ended (" + job_state_name(state_seen) + ")");
        if (updated->state() == v1::STARTING || updated->state() == v1::RUNNING)
            scheduler_.request_cancel(request->job_id());
        log_line("job " + request->job_id() + ": cancel by " + caller.user + " (was " + job_state_name(state_seen) + ")");
        v1::Job result = *updated;
        reduce_to_basic_view(result);
        *reply = std::move(result);
        return grpc::Status::OK;
    });
}

grpc::Status SimulationServiceHandler::FetchResults(
    grpc::ServerContext* context, const v1::FetchResultsRequest* request, grpc::ServerWriter<v1::FileChunk>* writer)
{
    return guarded("FetchResults", [&]() {
        Caller caller;
        v1::Job job;
        if (auto status = find_visible_job(*context, request->job_id(), caller, job); !status.ok())
            return status;
        if (!is_final_state(job.state()))
            return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                "job " + job.id() + " is " + job_state_name(job.state())
                    + "; its results can be fetched once it has ended");
        if (static_cast<std::size_t>(request->paths_size()) > max_requested_paths)
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                "paths: at most " + std::to_string(max_requested_paths) + " paths per request");

        const std::string directory = scheduler_.job_directory(job.id());
        std::vector<ResultFile> available;
        if (::access(directory.c_str(), F_OK) == 0)
            available = list_result_files(directory);
        std::vector<ResultFile> selected;
        if (request->paths().empty()) {
            selected = available;
        } else {
            std::set<std::string> seen;
            for (const std::string& path : request->paths()) {
                const auto it = std::find_if(
                    available.begin(), available.end(), [&](const ResultFile& file) { return file.path == path; });
                if (it == available.end())
                    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "paths: job " + job.id() + " has no result file '" + shown(path) + "'");
                if (seen.insert(path).second)
                    selected.push_back(*it);
            }
        }

        const std::uint32_t chunk_bytes = request->chunk_size() == 0
            ? default_chunk_bytes
            : std::clamp(request->chunk_size(), min_chunk_bytes, max_chunk_bytes);
        for (const ResultFile& file : selected) {
            const int fd = open_result_file(directory, file.path);
            struct Closer {
                int fd;
                ~Closer() { ::close(fd); }
            } closer{fd};
            // Reads one chunk ahead so that the last chunk carries `last`.
            std::string error;
            const auto read_chunk = [&]() {
                std::string data(chunk_bytes, '\0');
                std::size_t filled = 0;
                while (filled < data.size()) {
                    const ssize_t count = ::read(fd, data.data() + filled, data.size() - filled);
                    if (count < 0 && errno == EINTR)
                        continue;
                    if (count < 0)
                        error = std::strerror(errno);
                    if (count <= 0)
                        break;
                    filled += static_cast<std::size_t>(count);
                }
                data.resize(filled);
                return data;
            };
            std::uint64_t offset = 0;
            std::string current = read_chunk();
            for (;;) {
                if (context->IsCancelled())
                    return grpc::Status(grpc::StatusCode::CANCELLED, "the client ended the fetch");
                std::string next = current.size() < chunk_bytes ? std::string() : read_chunk();
                if (!error.empty())
                    return grpc::Status(grpc::StatusCode::INTERNAL, "reading result file " + file.path + ": " + error);
                const bool last = next.empty();
                v1::FileChunk chunk;
                chunk.set_path(file.path);
                chunk.set_offset(offset);
                chunk.set_file_size(file.size);
                chunk.set_last(last);
                offset += current.size();
                chunk.set_data(std::move(current));
                if (!writer->Write(chunk))
                    return grpc::Status(grpc::StatusCode::CANCELLED, "the client ended the fetch");
                if (last)
                    break;
                current = std::move(next);
            }
        }
        return grpc::Status::OK;
    });
}

} // namespace dtb::service
