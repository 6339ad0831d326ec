#include "service/client/dtbctl_commands.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "service/client/job_printing.hpp"
#include "service/common/duration_text.hpp"
#include "service/common/job_state_text.hpp"
#include "sim/model_loader.hpp"

namespace dtb::service {

namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds call_timeout{30};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string read_spec_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A path from the server is written below the output directory only if it
// stays there (a client does not trust the server either).
fs::path local_path_for(const fs::path& out_directory, const std::string& remote_path)
{
    const fs::path relative(remote_path);
    if (remote_path.empty() || relative.is_absolute())
        throw std::runtime_error("the server sent an unusable file name '" + remote_path + "'");
    for (const auto& part : relative)
        if (part == ".." || part == "." || part.empty())
            throw std::runtime_error("the server sent an unusable file name '" + remote_path + "'");
    return out_directory / relative;
}

// Streams WatchJob, drawing progress on stderr, until the job ends. Returns
// the final record.
v1::Job follow_job(ClientConnection& connection, const std::string& job_id)
{
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    auto context = connection.context();
    v1::WatchJobRequest request;
    request.set_job_id(job_id);
    auto reader = connection.stub().WatchJob(context.get(), request);
    v1::WatchJobResponse response;
    v1::Job last;
    std::string last_line;
    while (reader->Read(&response)) {
        last = response.job();
        const std::string line = progress_text(last);
        if (terminal) {
            std::fprintf(stderr, "\r%s %s %s\033[K", job_id.c_str(), progress_bar(last.progress().fraction(), 20).c_str(),
                line.c_str());
            std::fflush(stderr);
        } else if (line != last_line) {
            std::fprintf(stderr, "%s %s\n", job_id.c_str(), line.c_str());
        }
        last_line = line;
    }
    if (terminal)
        std::fputc('\n', stderr);
    check_status(reader->Finish());
    return last;
}

// The kind's spec message from its file, read as strictly as `dtb` reads
// model and config files. Paths in it stay as written: the server takes them
// as input references (docs/service.md).
void read_job_kind_file(const SubmitOptions& options, v1::JobSpec& spec)
{
    const std::string text = read_spec_text(options.spec_path);
    if (options.kind != "simulation" && options.warmup_ms > 0)
        throw UsageError("--warmup-ms: only for simulation jobs");
    if (options.kind == "simulation") {
        *spec.mutable_simulation()->mutable_model() = sim::parse_model_text(text, options.spec_path);
        spec.mutable_simulation()->set_warmup_ms(options.warmup_ms);
    } else if (options.kind == "brain-build") {
        sim::parse_yaml_message(text, options.spec_path, *spec.mutable_brain_build());
    } else if (options.kind == "assimilation") {
        sim::parse_yaml_message(text, options.spec_path, *spec.mutable_assimilation()->mutable_config());
    } else {
        throw UsageError("--kind: '" + options.kind + "' is not a job kind (simulation, brain-build, assimilation)");
    }
}

int report_final_state(const v1::Job& job)
{
    std::cout << job.id() << ": " << job_state_name(job.state());
    if (!job.reason().empty())
        std::cout << " (" << job.reason() << ")";
    std::cout << "\n";
    return job.state() == v1::SUCCEEDED ? 0 : 1;
}

} // namespace

int submit_command(ClientConnection& connection, const SubmitOptions& options)
{
    v1::SubmitJobRequest request;
    request.set_request_id(options.request_id);
    auto* spec = request.mutable_spec();
    try {
        read_job_kind_file(options, *spec);
        spec->mutable_resources()->set_ranks(options.ranks);
        if (!options.time_limit.empty()) {
            const auto seconds = parse_duration_seconds(options.time_limit);
            if (!seconds)
                throw UsageError("--time-limit: '" + options.time_limit + "' is not a duration (e.g. 90s, 15m, 2h)");
            auto* limit = spec->mutable_resources()->mutable_time_limit();
            limit->set_seconds(static_cast<std::int64_t>(*seconds));
            limit->set_nanos(static_cast<std::int32_t>((*seconds - std::floor(*seconds)) * 1e9));
        }
        for (const auto& label : options.labels) {
            const auto equals = label.find('=');
            if (equals == std::string::npos || equals == 0)
                throw UsageError("--label: expected KEY=VALUE, got '" + label + "'");
            (*spec->mutable_labels())[label.substr(0, equals)] = label.substr(equals + 1);
        }
    } catch (const sim::ModelError& e) {
        std::fprintf(stderr, "dtbctl: error: %s\n", e.what());
        return 2;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "dtbctl: error: %s\n", e.what());
        return 2;
    }
    v1::Job job;
    check_status(connection.stub().SubmitJob(connection.context(call_timeout).get(), request, &job));
    std::cout << job.id() << std::endl;
    if (!options.wait)
        return 0;
    return report_final_state(follow_job(connection, job.id()));
}

int status_command(ClientConnection& connection, const std::string& job_id, bool json)
{
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    request.set_view(json ? v1::JOB_VIEW_FULL : v1::JOB_VIEW_BASIC);
    v1::Job job;
    check_status(connection.stub().GetJob(connection.context(call_timeout).get(), request, &job));
    if (json)
        std::cout << job_json(job);
    else
        print_job_status(std::cout, job);
    return 0;
}

int list_command(ClientConnection& connection, const ListOptions& options)
{
    v1::ListJobsRequest request;
    request.set_page_size(options.limit);
    request.set_owner(options.owner);
    for (const auto& name : options.states) {
        const auto state = parse_job_state(name);
        if (!state) {
            std::fprintf(stderr, "dtbctl: error: --state: '%s' is not a job state (%s)\n", name.c_str(),
                job_state_names().c_str());
            return 2;
        }
        request.add_states(*state);
    }
    std::vector<v1::Job> jobs;
    for (;;) {
        v1::ListJobsResponse response;
        check_status(connection.stub().ListJobs(connection.context(call_timeout).get(), request, &response));
        jobs.insert(jobs.end(), response.jobs().begin(), response.jobs().end());
        if (!options.all_pages || response.next_page_token().empty())
            break;
        request.set_page_token(response.next_page_token());
    }
    if (options.json) {
        std::cout << "[";
        for (std::size_t i = 0; i < jobs.size(); ++i)
            std::cout << (i ? ",\n" : "\n") << job_json(jobs[i]);
        std::cout << "]\n";
    } else {
        print_job_table(std::cout, jobs);
    }
    return 0;
}

int watch_command(ClientConnection& connection, const std::string& job_id)
{
    return report_final_state(follow_job(connection, job_id));
}

int cancel_command(ClientConnection& connection, const std::string& job_id)
{
    v1::CancelJobRequest request;
    request.set_job_id(job_id);
    v1::Job job;
    check_status(connection.stub().CancelJob(connection.context(call_timeout).get(), request, &job));
    std::cout << job.id() << ": " << (job.state() == v1::CANCELLED ? "CANCELLED" : "cancel requested") << "\n";
    return 0;
}

int fetch_command(ClientConnection& connection, const std::string& job_id, const std::string& out_directory,
    const std::vector<std::string>& paths)
{
    const fs::path out(out_directory);
    fs::create_directories(out);
    v1::FetchResultsRequest request;
    request.set_job_id(job_id);
    for (const auto& path : paths)
        request.add_paths(path);
    auto context = connection.context();
    auto reader = connection.stub().FetchResults(context.get(), request);
    v1::FileChunk chunk;
    std::ofstream file;
    fs::path partial_path, final_path;
    std::string current;
    std::uint64_t expected_offset = 0;
    std::size_t files = 0;
    // Files are written under a temporary name and renamed when complete.
    const auto discard_partial = [&]() {
        if (file.is_open()) {
            file.close();
            std::error_code ignored;
            fs::remove(partial_path, ignored);
        }
    };
    try {
        while (reader->Read(&chunk)) {
            if (chunk.path() != current || !file.is_open()) {
                if (file.is_open())
                    throw std::runtime_error("the server switched files before the end of " + current);
                current = chunk.path();
                final_path = local_path_for(out, current);
                partial_path = final_path.string() + ".partial";
                fs::create_directories(final_path.parent_path());
                file.open(partial_path, std::ios::binary | std::ios::trunc);
                if (!file)
                    throw std::runtime_error("cannot write " + partial_path.string());
                expected_offset = 0;
            }
            if (chunk.offset() != expected_offset)
                throw std::runtime_error("chunk of " + current + " at offset " + std::to_string(chunk.offset())
                    + ", expected " + std::to_string(expected_offset));
            file.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
            expected_offset += chunk.data().size();
            if (chunk.last()) {
                file.close();
                if (!file)
                    throw std::runtime_error("cannot write " + partial_path.string());
                fs::rename(partial_path, final_path);
                std::cout << final_path.string() << " (" << expected_offset << " bytes)\n";
                ++files;
            }
        }
    } catch (...) {
        context->TryCancel();
        discard_partial();
        throw;
    }
    const grpc::Status status = reader->Finish();
    discard_partial();
    check_status(status);
    if (files == 0)
        std::cerr << "dtbctl: job " << job_id << " has no result files\n";
    return 0;
}

int health_command(ClientConnection& connection, double wait_s)
{
    auto stub = grpc::health::v1::Health::NewStub(connection.channel());
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
    for (;;) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        const grpc::Status status = stub->Check(&context, request, &response);
        if (status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
            std::cout << connection.server() << ": SERVING\n";
            return 0;
        }
        if (std::chrono::steady_clock::now() >= give_up) {
            if (!status.ok())
                throw RpcError(status.error_code(), status.error_message());
            std::cout << connection.server() << ": "
                      << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

} // namespace dtb::service
