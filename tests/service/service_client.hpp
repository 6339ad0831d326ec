#pragma once
// A typed test client of dtb.v1.SimulationService: one call per method,
// returning the gRPC status, plus waiting helpers.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "dtb/v1/simulation_service.grpc.pb.h"

namespace dtb::service::testing {

/// A SimulationJob spec for the model in `yaml` (parsed by dtb::sim).
v1::JobSpec simulation_spec(const std::string& yaml, unsigned ranks = 1, double time_limit_s = 0);

class ServiceClient;

/// Submits `spec`, expecting it to be accepted (QUEUED); returns the job id.
std::string submit_ok(ServiceClient& client, const v1::JobSpec& spec);

class ServiceClient {
public:
    /// `token` empty: calls carry no authorization metadata.
    ServiceClient(const std::string& address, std::string token);
    ServiceClient(std::shared_ptr<grpc::Channel> channel, std::string token);

    grpc::Status submit(const v1::JobSpec& spec, v1::Job* job);
    grpc::Status get(const std::string& job_id, v1::Job* job, v1::JobView view = v1::JOB_VIEW_UNSPECIFIED);
    grpc::Status list(const v1::ListJobsRequest& request, v1::ListJobsResponse* response);
    grpc::Status cancel(const std::string& job_id, v1::Job* job);
    /// The whole stream (until the job ends or `timeout`).
    grpc::Status watch(const std::string& job_id, std::vector<v1::WatchJobResponse>* messages,
        std::chrono::seconds timeout = std::chrono::seconds(120));
    /// Fetched files by path; checks chunk order and `last` flags.
    grpc::Status fetch(const std::string& job_id, const std::vector<std::string>& paths,
        std::map<std::string, std::string>* files, std::uint32_t chunk_size = 0);

    /// Every job the caller may list (all pages).
    std::vector<v1::Job> list_all();

    /// Polls GetJob until the job is in `state` (or any final state when
    /// `state` is one); fails the test on timeout.
    v1::Job wait_for_state(const std::string& job_id, v1::JobState state,
        std::chrono::seconds timeout = std::chrono::seconds(90));
    /// Polls until the job has ended.
    v1::Job wait_until_final(const std::string& job_id, std::chrono::seconds timeout = std::chrono::seconds(90));

    /// Calls wait for the channel to (re)connect until their deadline instead
    /// of failing at once while it is connecting (gRPC's wait-for-ready).
    void set_wait_for_ready(bool wait) { wait_for_ready_ = wait; }

    v1::SimulationService::Stub& stub() { return *stub_; }
    std::unique_ptr<grpc::ClientContext> context(std::chrono::seconds timeout = std::chrono::seconds(30)) const;

private:
    std::string token_;
    bool wait_for_ready_ = false;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<v1::SimulationService::Stub> stub_;
};

} // namespace dtb::service::testing
