// What a dtb-server refuses, and with which status code: bad specs, unknown
// and malformed ids, calls at the wrong time, missing or wrong tokens,
// other users' jobs, oversized requests, full queues and quotas, hostile
// result paths. Also: health checking and reflection are served.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "server_process.hpp"
#include "service_client.hpp"
#include "test_models.hpp"

namespace fs = std::filesystem;
using namespace dtb::service;
namespace v1 = dtb::v1;
using namespace dtb::service::testing;
using namespace std::chrono_literals;

namespace {

// ServerReflectionInfo with one list_services request, as raw bytes (no
// generated reflection classes needed): field 7 (list_services), empty.
std::string reflection_list_services(const std::string& address)
{
    auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    grpc::CompletionQueue queue;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
    void* tag = nullptr;
    bool ok = false;
    const auto step = [&](void* expected) {
        return queue.Next(&tag, &ok) && tag == expected && ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    if (!step(reinterpret_cast<void*>(1)))
        return {};
    const std::string request_bytes("\x3a\x00", 2);
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    if (!step(reinterpret_cast<void*>(2)))
        return {};
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(3));
    if (!step(reinterpret_cast<void*>(3)))
        return {};
    std::vector<grpc::Slice> slices;
    response.Dump(&slices);
    std::string bytes;
    for (const auto& part : slices)
        bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
    call->WritesDone(reinterpret_cast<void*>(4));
    step(reinterpret_cast<void*>(4));
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(5));
    step(reinterpret_cast<void*>(5));
    queue.Shutdown();
    while (queue.Next(&tag, &ok)) {
    }
    return bytes;
}

} // namespace

TEST(ServiceAccess, HealthCheckAndReflectionAreServedWithoutAToken)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const auto status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

    const std::string services = reflection_list_services(server.address());
    EXPECT_NE(services.find("dtb.v1.SimulationService"), std::string::npos);
    EXPECT_NE(services.find("grpc.health.v1.Health"), std::string::npos);
}

TEST(ServiceAccess, BadRequestsGetTheMatchingStatusCode)
{
    TemporaryDirectory root;
    ServerProcess server(root.path(), {"--max-ranks", "2"});
    ServiceClient alice(server.address(), TestTokens::alice);
    v1::Job job;

    auto status = alice.submit(simulation_spec(zero_size_model_yaml()), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.simulation.model.populations[0].size: ", 0), 0u)
        << status.error_message();

    auto bad_reference = simulation_spec(quick_model_yaml());
    bad_reference.mutable_simulation()->mutable_model()->mutable_projections(0)->set_source("nowhere");
    status = alice.submit(bad_reference, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("spec.simulation.model.projections[0].source"), std::string::npos)
        << status.error_message();

    status = alice.submit(v1::JobSpec{}, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec: ", 0), 0u) << status.error_message();

    v1::JobSpec no_model;
    no_model.mutable_simulation();
    status = alice.submit(no_model, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.simulation.model: ", 0), 0u) << status.error_message();

    status = alice.submit(simulation_spec(quick_model_yaml(), 3), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.resources.ranks: ", 0), 0u) << status.error_message();

    auto bad_label = simulation_spec(quick_model_yaml());
    (*bad_label.mutable_labels())["no spaces"] = "x";
    EXPECT_EQ(alice.submit(bad_label, &job).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

    auto negative_warmup = simulation_spec(quick_model_yaml());
    negative_warmup.mutable_simulation()->set_warmup_ms(-1);
    status = alice.submit(negative_warmup, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.simulation.warmup_ms: ", 0), 0u) << status.error_message();

    v1::JobSpec no_kind;
    status = alice.submit(no_kind, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec: ", 0), 0u) << status.error_message();
    v1::JobSpec brain_build;
    brain_build.mutable_brain_build();
    status = alice.submit(brain_build, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.brain_build.atlas: ", 0), 0u) << status.error_message();
    v1::JobSpec assimilation;
    assimilation.mutable_assimilation();
    status = alice.submit(assimilation, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.assimilation.config: ", 0), 0u) << status.error_message();

    EXPECT_EQ(alice.get("j-0123456789abcdef", &job).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(alice.cancel("j-0123456789abcdef", &job).error_code(), grpc::StatusCode::NOT_FOUND);
    std::map<std::string, std::string> files;
    EXPECT_EQ(alice.fetch("j-0123456789abcdef", {}, &files).error_code(), grpc::StatusCode::NOT_FOUND);
    std::vector<v1::WatchJobResponse> messages;
    EXPECT_EQ(alice.watch("j-0123456789abcdef", &messages).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(alice.get("../../etc/passwd", &job).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(alice.get("", &job).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

    v1::ListJobsRequest list;
    list.set_page_token("not-a-token");
    v1::ListJobsResponse listed;
    EXPECT_EQ(alice.list(list, &listed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    list.Clear();
    list.add_states(static_cast<v1::JobState>(99));
    EXPECT_EQ(alice.list(list, &listed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

    // Fetch before the end; cancel after it.
    const std::string running = submit_ok(alice, simulation_spec(long_model_yaml()));
    status = alice.fetch(running, {}, &files);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
    const std::string quick = submit_ok(alice, simulation_spec(quick_model_yaml()));
    EXPECT_EQ(alice.wait_until_final(quick).state(), v1::SUCCEEDED);
    status = alice.cancel(quick, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
    ASSERT_TRUE(alice.cancel(running, &job).ok());
}

TEST(ServiceAccess, TokensDecideWhoMaySeeAndTouchWhichJob)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    ServiceClient bob(server.address(), TestTokens::bob);
    ServiceClient admin(server.address(), TestTokens::admin);
    ServiceClient anonymous(server.address(), "");
    ServiceClient impostor(server.address(), "alice-token-0123456780");

    const std::string alice_job = submit_ok(alice, simulation_spec(quick_model_yaml()));
    const std::string bob_job = submit_ok(bob, simulation_spec(quick_model_yaml()));
    EXPECT_EQ(alice.wait_until_final(alice_job).state(), v1::SUCCEEDED);

    for (ServiceClient* stranger : {&anonymous, &impostor}) {
        v1::Job job;
        v1::ListJobsResponse listed;
        std::map<std::string, std::string> files;
        std::vector<v1::WatchJobResponse> messages;
        EXPECT_EQ(stranger->submit(simulation_spec(quick_model_yaml()), &job).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(stranger->get(alice_job, &job).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(stranger->list(v1::ListJobsRequest{}, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(stranger->cancel(alice_job, &job).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(stranger->fetch(alice_job, {}, &files).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_EQ(stranger->watch(alice_job, &messages).error_code(), grpc::StatusCode::UNAUTHENTICATED);
        EXPECT_TRUE(files.empty());
        EXPECT_TRUE(messages.empty());
    }

    v1::Job job;
    std::map<std::string, std::string> files;
    std::vector<v1::WatchJobResponse> messages;
    EXPECT_EQ(bob.get(alice_job, &job).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(bob.cancel(alice_job, &job).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(bob.fetch(alice_job, {}, &files).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(bob.watch(alice_job, &messages).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(files.empty());
    v1::ListJobsRequest others;
    others.set_owner("alice");
    v1::ListJobsResponse listed;
    EXPECT_EQ(bob.list(others, &listed).error_code(), grpc::StatusCode::PERMISSION_DENIED);

    const auto ids = [](const std::vector<v1::Job>& jobs) {
        std::set<std::string> set;
        for (const auto& j : jobs)
            set.insert(j.id());
        return set;
    };
    EXPECT_EQ(ids(bob.list_all()), std::set<std::string>{bob_job});
    EXPECT_EQ(ids(alice.list_all()), std::set<std::string>{alice_job});
    EXPECT_EQ(ids(admin.list_all()), (std::set<std::string>{alice_job, bob_job}));
    ASSERT_TRUE(admin.list(others, &listed).ok());
    ASSERT_EQ(listed.jobs_size(), 1);
    EXPECT_EQ(listed.jobs(0).id(), alice_job);
    ASSERT_TRUE(admin.get(alice_job, &job).ok());
    EXPECT_EQ(job.owner(), "alice");
    ASSERT_TRUE(admin.fetch(alice_job, {"summary.json"}, &files).ok());
    EXPECT_EQ(files.size(), 1u);
}

TEST(ServiceAccess, OversizedRequestsAndFullQueuesAreResourceExhausted)
{
    TemporaryDirectory root;
    ServerProcess server(root.path(),
        {"--max-ranks", "1", "--max-queued-jobs", "3", "--max-active-jobs-per-user", "2", "--max-request-bytes",
            "65536"});
    ServiceClient alice(server.address(), TestTokens::alice);
    ServiceClient bob(server.address(), TestTokens::bob);
    ServiceClient admin(server.address(), TestTokens::admin);
    v1::Job job;

    auto huge = simulation_spec(quick_model_yaml());
    huge.mutable_simulation()->mutable_model()->set_name(std::string(100000, 'x'));
    auto status = alice.submit(huge, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();

    const std::string first = submit_ok(alice, simulation_spec(long_model_yaml()));
    EXPECT_EQ(alice.wait_for_state(first, v1::RUNNING).state(), v1::RUNNING);
    submit_ok(alice, simulation_spec(long_model_yaml()));  // queued (ranks are busy)
    status = alice.submit(simulation_spec(long_model_yaml()), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << "per-user quota of 2";
    EXPECT_NE(status.error_message().find("quota"), std::string::npos) << status.error_message();
    submit_ok(bob, simulation_spec(long_model_yaml()));
    submit_ok(bob, simulation_spec(long_model_yaml()));  // 3 queued now
    status = admin.submit(simulation_spec(long_model_yaml()), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << "queue of 3 is full";
    EXPECT_NE(status.error_message().find("queue is full"), std::string::npos) << status.error_message();
    for (const auto& listed : admin.list_all())
        admin.cancel(listed.id(), &job);
}

TEST(ServiceAccess, FetchResultsCannotReachOutsideTheJobDirectory)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string id = submit_ok(alice, simulation_spec(quick_model_yaml()));
    ASSERT_EQ(alice.wait_until_final(id).state(), v1::SUCCEEDED);

    const std::string secret = "the secret outside the job directory";
    std::ofstream(root.path() / "secret.txt") << secret;
    const fs::path job_directory = server.job_directory(id);
    fs::create_symlink(root.path() / "secret.txt", job_directory / "leak");
    fs::create_directory_symlink(root.path(), job_directory / "up");
    fs::create_symlink("/etc/passwd", job_directory / "passwd");

    for (const std::string& hostile : std::vector<std::string>{"../secret.txt", "../../secret.txt", "/etc/passwd", "leak", "up/secret.txt",
             "passwd", "./summary.json", "sub/../summary.json", "summary.json/", "", std::string("summary.json\0x", 14),
             "../" + id + "/summary.json", "%2e%2e/secret.txt"}) {
        std::map<std::string, std::string> files;
        const auto status = alice.fetch(id, {hostile}, &files);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << "'" << hostile << "': " << status.error_message();
        EXPECT_TRUE(files.empty()) << hostile;
    }
    std::map<std::string, std::string> everything;
    ASSERT_TRUE(alice.fetch(id, {}, &everything).ok());
    EXPECT_EQ(everything.count("summary.json"), 1u);
    for (const auto& [path, data] : everything) {
        EXPECT_TRUE(path != "leak" && path != "passwd" && path.rfind("up/", 0) != 0) << path;
        EXPECT_EQ(data.find(secret), std::string::npos) << path;
    }
}

// SIGHUP re-reads the tokens file: a new user can call, a removed token is
// refused; a file that does not parse keeps the tokens in force.
TEST(ServiceAccess, SighupReloadsTheTokensFileAndABadFileKeepsTheOldOne)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string carol_token = "carol-token-0123456789";
    ServiceClient carol(server.address(), carol_token);
    v1::ListJobsResponse listed;
    ASSERT_TRUE(alice.list(v1::ListJobsRequest{}, &listed).ok());
    ASSERT_EQ(carol.list(v1::ListJobsRequest{}, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED);

    const auto rewrite_tokens = [&](const std::string& text) {
        // Written aside and renamed, as an editor or deployment tool would.
        const fs::path staged = root.path() / "tokens.new";
        std::ofstream(staged) << text;
        fs::rename(staged, root.path() / "tokens");
    };
    // Polls until `client`'s ListJobs gives `code` (the reload runs on the
    // server's signal thread, shortly after the signal).
    const auto wait_for_code = [&](ServiceClient& client, grpc::StatusCode code) {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (client.list(v1::ListJobsRequest{}, &listed).error_code() != code) {
            if (std::chrono::steady_clock::now() > give_up)
                return false;
            std::this_thread::sleep_for(50ms);
        }
        return true;
    };

    rewrite_tokens(std::string("carol ") + carol_token + "\nadmin " + TestTokens::admin + " admin\n");
    ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
    ASSERT_TRUE(wait_for_code(carol, grpc::StatusCode::OK)) << server.log_text();
    EXPECT_EQ(alice.list(v1::ListJobsRequest{}, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << "alice's token was removed from the file";
    EXPECT_NE(server.log_text().find("reloaded"), std::string::npos) << server.log_text();

    rewrite_tokens("carol\n"); // no token on the line: does not parse
    ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (server.log_text().find("keeping the previous 2 users") == std::string::npos) {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << server.log_text();
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(carol.list(v1::ListJobsRequest{}, &listed).ok()) << "a bad file must not revoke the tokens in force";
    EXPECT_EQ(alice.list(v1::ListJobsRequest{}, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(server.running()) << "SIGHUP must not stop the server";
}

// SubmitJob with a request_id is idempotent per user, also when the retries
// race each other; a reused id with another spec and a malformed id are
// INVALID_ARGUMENT naming request_id.
TEST(ServiceAccess, SubmitWithARequestIdCreatesOneJob)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    ServiceClient bob(server.address(), TestTokens::bob);
    const auto submit = [](ServiceClient& client, const v1::JobSpec& spec, const std::string& request_id,
                            v1::Job* job) {
        v1::SubmitJobRequest request;
        *request.mutable_spec() = spec;
        request.set_request_id(request_id);
        return client.stub().SubmitJob(client.context().get(), request, job);
    };
    const auto spec = simulation_spec(quick_model_yaml());

    std::vector<std::string> ids(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < ids.size(); ++i)
        threads.emplace_back([&, i]() {
            v1::Job job;
            if (submit(alice, spec, "3f2b9c1e-8d4a-4e6b", &job).ok())
                ids[i] = job.id();
        });
    for (auto& thread : threads)
        thread.join();
    for (const auto& id : ids)
        EXPECT_EQ(id, ids[0]) << "every retry answers with the first job";
    ASSERT_FALSE(ids[0].empty());
    EXPECT_EQ(alice.list_all().size(), 1u);

    v1::Job job;
    ASSERT_TRUE(submit(bob, spec, "3f2b9c1e-8d4a-4e6b", &job).ok());
    EXPECT_NE(job.id(), ids[0]) << "request ids are per user";

    const auto other = simulation_spec(quick_model_yaml(), 2);
    auto status = submit(alice, other, "3f2b9c1e-8d4a-4e6b", &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("request_id"), std::string::npos) << status.error_message();
    status = submit(alice, spec, "not a valid id", &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("request_id"), std::string::npos) << status.error_message();
    EXPECT_EQ(alice.list_all().size(), 1u);
}
