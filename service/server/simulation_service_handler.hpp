#pragma once
// The dtb.v1.SimulationService RPCs: authenticate the caller, check the
// request, act on the job store and scheduler, answer with a real status
// code (docs/service.md has the table).
#include <chrono>
#include <optional>

#include "dtb/v1/simulation_service.grpc.pb.h"
#include "service/server/input_resolver.hpp"
#include "service/server/job_event_log.hpp"
#include "service/server/job_scheduler.hpp"
#include "service/server/job_spec_validation.hpp"
#include "service/server/job_store.hpp"
#include "service/server/reloadable_tokens.hpp"

namespace dtb::service {

struct ServiceLimits {
    SubmissionLimits submission;
    SpecLimits spec;
    std::chrono::seconds default_time_limit{24 * 3600};
    std::chrono::milliseconds watch_refresh{5000};  // a CURRENT message when nothing changed
};

class SimulationServiceHandler final : public v1::SimulationService::Service {
public:
    /// Without tokens (null) every caller is the single user "local"
    /// (the server allows that on loopback addresses only). `inputs` checks
    /// the files a submitted spec names.
    SimulationServiceHandler(JobStore& store, JobEventLog& events, JobScheduler& scheduler,
        const InputResolver& inputs, const ReloadableTokens* tokens, ServiceLimits limits);

    grpc::Status SubmitJob(grpc::ServerContext* context, const v1::SubmitJobRequest* request, v1::Job* reply) override;
    grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request, v1::Job* reply) override;
    grpc::Status ListJobs(
        grpc::ServerContext* context, const v1::ListJobsRequest* request, v1::ListJobsResponse* reply) override;
    grpc::Status WatchJob(grpc::ServerContext* context, const v1::WatchJobRequest* request,
        grpc::ServerWriter<v1::WatchJobResponse>* writer) override;
    grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request, v1::Job* reply) override;
    grpc::Status FetchResults(grpc::ServerContext* context, const v1::FetchResultsRequest* request,
        grpc::ServerWriter<v1::FileChunk>* writer) override;

private:
    grpc::Status authenticate(const grpc::ServerContext& context, Caller& caller) const;
    /// Authenticates the caller and finds a job they may see:
    /// UNAUTHENTICATED, INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED
    /// otherwise.
    grpc::Status find_visible_job(
        const grpc::ServerContext& context, const std::string& job_id, Caller& caller, v1::Job& job);

    JobStore& store_;
    JobEventLog& events_;
    JobScheduler& scheduler_;
    const InputResolver& inputs_;
    const ReloadableTokens* tokens_; // not owned; null: no tokens file
    ServiceLimits limits_;
};

} // namespace dtb::service
