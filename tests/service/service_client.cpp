#include "service_client.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "service/common/job_state_text.hpp"
#include "sim/model_loader.hpp"

namespace dtb::service::testing {

v1::JobSpec simulation_spec(const std::string& yaml, unsigned ranks, double time_limit_s)
{
    v1::JobSpec spec;
    *spec.mutable_simulation()->mutable_model() = sim::parse_model_text(yaml, "test model");
    spec.mutable_resources()->set_ranks(ranks);
    if (time_limit_s > 0)
        spec.mutable_resources()->mutable_time_limit()->set_seconds(static_cast<std::int64_t>(time_limit_s));
    return spec;
}

std::string submit_ok(ServiceClient& client, const v1::JobSpec& spec)
{
    v1::Job job;
    const auto status = client.submit(spec, &job);
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    EXPECT_EQ(job.state(), v1::QUEUED);
    return job.id();
}

ServiceClient::ServiceClient(const std::string& address, std::string token)
    : ServiceClient(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()), std::move(token))
{
}

ServiceClient::ServiceClient(std::shared_ptr<grpc::Channel> channel, std::string token)
    : token_(std::move(token))
    , channel_(std::move(channel))
    , stub_(v1::SimulationService::NewStub(channel_))
{
}

std::unique_ptr<grpc::ClientContext> ServiceClient::context(std::chrono::seconds timeout) const
{
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token_.empty())
        context->AddMetadata("authorization", "Bearer " + token_);
    context->set_deadline(std::chrono::system_clock::now() + timeout);
    context->set_wait_for_ready(wait_for_ready_);
    return context;
}

grpc::Status ServiceClient::submit(const v1::JobSpec& spec, v1::Job* job)
{
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    return stub_->SubmitJob(context().get(), request, job);
}

grpc::Status ServiceClient::get(const std::string& job_id, v1::Job* job, v1::JobView view)
{
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    request.set_view(view);
    return stub_->GetJob(context().get(), request, job);
}

grpc::Status ServiceClient::list(const v1::ListJobsRequest& request, v1::ListJobsResponse* response)
{
    return stub_->ListJobs(context().get(), request, response);
}

grpc::Status ServiceClient::cancel(const std::string& job_id, v1::Job* job)
{
    v1::CancelJobRequest request;
    request.set_job_id(job_id);
    return stub_->CancelJob(context().get(), request, job);
}

grpc::Status ServiceClient::watch(
    const std::string& job_id, std::vector<v1::WatchJobResponse>* messages, std::chrono::seconds timeout)
{
    auto call = context(timeout);
    v1::WatchJobRequest request;
    request.set_job_id(job_id);
    auto reader = stub_->WatchJob(call.get(), request);
    v1::WatchJobResponse message;
    while (reader->Read(&message))
        messages->push_back(message);
    return reader->Finish();
}

grpc::Status ServiceClient::fetch(const std::string& job_id, const std::vector<std::string>& paths,
    std::map<std::string, std::string>* files, std::uint32_t chunk_size)
{
    auto call = context();
    v1::FetchResultsRequest request;
    request.set_job_id(job_id);
    request.set_chunk_size(chunk_size);
    for (const auto& path : paths)
        request.add_paths(path);
    auto reader = stub_->FetchResults(call.get(), request);
    v1::FileChunk chunk;
    std::string open_path;
    while (reader->Read(&chunk)) {
        if (open_path.empty()) {
            EXPECT_EQ(files->count(chunk.path()), 0u) << "file sent twice: " << chunk.path();
            open_path = chunk.path();
        }
        EXPECT_EQ(chunk.path(), open_path) << "a new file began before the last chunk of " << open_path;
        std::string& data = (*files)[chunk.path()];
        EXPECT_EQ(chunk.offset(), data.size()) << chunk.path();
        data += chunk.data();
        if (chunk.last()) {
            EXPECT_EQ(data.size(), chunk.file_size()) << chunk.path();
            open_path.clear();
        }
    }
    EXPECT_TRUE(open_path.empty()) << "stream ended inside " << open_path;
    return reader->Finish();
}

std::vector<v1::Job> ServiceClient::list_all()
{
    std::vector<v1::Job> jobs;
    v1::ListJobsRequest request;
    request.set_page_size(100);
    for (;;) {
        v1::ListJobsResponse response;
        const auto status = list(request, &response);
        EXPECT_TRUE(status.ok()) << status.error_message();
        if (!status.ok())
            return jobs;
        jobs.insert(jobs.end(), response.jobs().begin(), response.jobs().end());
        if (response.next_page_token().empty())
            return jobs;
        request.set_page_token(response.next_page_token());
    }
}

v1::Job ServiceClient::wait_for_state(const std::string& job_id, v1::JobState state, std::chrono::seconds timeout)
{
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    v1::Job job;
    for (;;) {
        const auto status = get(job_id, &job, v1::JOB_VIEW_BASIC);
        EXPECT_TRUE(status.ok()) << status.error_message();
        if (!status.ok() || job.state() == state || (is_final_state(job.state()) && !is_final_state(state)))
            return job;
        if (is_final_state(state) && is_final_state(job.state()))
            return job;
        if (std::chrono::steady_clock::now() > give_up) {
            ADD_FAILURE() << "job " << job_id << " still " << job_state_name(job.state()) << " after "
                          << timeout.count() << " s, waiting for " << job_state_name(state);
            return job;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

v1::Job ServiceClient::wait_until_final(const std::string& job_id, std::chrono::seconds timeout)
{
    return wait_for_state(job_id, v1::SUCCEEDED, timeout);
}

} // namespace dtb::service::testing
