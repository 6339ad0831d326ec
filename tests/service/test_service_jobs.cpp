// A real dtb-server running real `dtb run` jobs: submit, watch and fetch;
// cancel; time limits; restarts (killed server, vanished and surviving job
// processes).
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/wait.h>
#include <unistd.h>
#include <thread>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process_table.hpp"
#include "file_text.hpp"
#include "server_process.hpp"
#include "service/common/job_state_text.hpp"
#include "service_client.hpp"
#include "test_models.hpp"

namespace fs = std::filesystem;
using namespace dtb::service;
namespace v1 = dtb::v1;
using namespace dtb::service::testing;
using namespace std::chrono_literals;

namespace {

// Runs a command line, returns its exit status.
int run_command(const std::string& command) { return std::system(command.c_str()); }

} // namespace

TEST(ServiceJobs, SubmitWatchFetchGivesWhatDtbRunWrites)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    const auto spec = simulation_spec(quick_model_yaml());
    const std::string id = submit_ok(alice, spec);

    std::vector<v1::WatchJobResponse> messages;
    const auto watch_status = alice.watch(id, &messages);
    ASSERT_TRUE(watch_status.ok()) << watch_status.error_message();
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages.front().kind(), v1::WatchJobResponse::CURRENT);
    EXPECT_EQ(messages.back().job().state(), v1::SUCCEEDED);
    bool saw_progress = false, saw_running = false;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& job = messages[i].job();
        EXPECT_EQ(job.id(), id);
        if (i > 0) {
            const auto& previous = messages[i - 1].job();
            EXPECT_GT(job.version(), previous.version()) << "message " << i;
            EXPECT_GE(static_cast<int>(job.state()), static_cast<int>(previous.state())) << "message " << i;
            if (messages[i].kind() == v1::WatchJobResponse::STATE_CHANGED)
                EXPECT_NE(job.state(), previous.state());
        }
        saw_running |= job.state() == v1::RUNNING;
        saw_progress |= messages[i].kind() == v1::WatchJobResponse::PROGRESS && job.progress().simulated_ms() > 0;
        // Watch messages carry the basic view: the model's name only.
        EXPECT_EQ(job.spec().simulation().model().populations_size(), 0);
        EXPECT_EQ(job.spec().simulation().model().name(), "quick");
    }
    EXPECT_TRUE(saw_running);
    EXPECT_TRUE(saw_progress);

    v1::Job done;
    ASSERT_TRUE(alice.get(id, &done).ok());
    EXPECT_EQ(done.state(), v1::SUCCEEDED);
    EXPECT_EQ(done.exit_code(), 0);
    EXPECT_TRUE(done.has_started_at());
    EXPECT_TRUE(done.has_finished_at());
    EXPECT_DOUBLE_EQ(done.progress().fraction(), 1.0);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        done.spec().simulation().model(), spec.simulation().model()));

    std::map<std::string, std::string> files;
    const auto fetch_status = alice.fetch(id, {}, &files, 64 * 1024);
    ASSERT_TRUE(fetch_status.ok()) << fetch_status.error_message();
    for (const char* name : {"summary.json", "spikes.h5", "rates.h5", "model.yaml", "dtb.log"}) {
        ASSERT_EQ(files.count(name), 1u) << name;
        EXPECT_EQ(files[name], read_file(server.job_directory(id) / name)) << name;
    }
    std::map<std::string, std::string> only_summary;
    ASSERT_TRUE(alice.fetch(id, {"summary.json"}, &only_summary).ok());
    EXPECT_EQ(only_summary.size(), 1u);
    EXPECT_EQ(only_summary["summary.json"], files["summary.json"]);

    // The same model through `dtb run` directly: same network, same spikes.
    const fs::path direct = root.path() / "direct";
    std::ofstream(root.path() / "quick.yaml") << quick_model_yaml();
    ASSERT_EQ(run_command(std::string(DTB_EXECUTABLE) + " run " + (root.path() / "quick.yaml").string() + " --out "
                  + direct.string() + " >/dev/null 2>&1"),
        0);
    const auto served = nlohmann::json::parse(files["summary.json"]);
    const auto expected = nlohmann::json::parse(read_file(direct / "summary.json"));
    for (const char* key : {"spikes_digest", "spike_count", "neurons", "synapses", "seed", "t_stop_ms", "populations"})
        EXPECT_EQ(served[key], expected[key]) << key;
    // HDF5 files carry creation times, so compare their datasets.
    const fs::path fetched_spikes = root.path() / "fetched_spikes.h5";
    std::ofstream(fetched_spikes, std::ios::binary) << files["spikes.h5"];
    if (run_command(std::string(DTB_PYTHON3) + " -c 'import h5py' 2>/dev/null") == 0) {
        EXPECT_EQ(run_command(std::string(DTB_PYTHON3) + " " + DTB_SERVICE_TEST_DIR + "/compare_spike_files.py "
                      + fetched_spikes.string() + " " + (direct / "spikes.h5").string()),
            0);
    }
}

TEST(ServiceJobs, ATwoRankJobRunsUnderMpirunAndGivesTheSameSpikes)
{
    if (std::system("command -v mpirun >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "mpirun is not installed";
    TemporaryDirectory root;
    ServerProcess server(root.path(), {"--max-ranks", "2"});
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string one = submit_ok(alice, simulation_spec(quick_model_yaml(), 1));
    const std::string two = submit_ok(alice, simulation_spec(quick_model_yaml(), 2));
    const v1::Job one_done = alice.wait_until_final(one);
    const v1::Job two_done = alice.wait_until_final(two);
    ASSERT_EQ(one_done.state(), v1::SUCCEEDED) << one_done.reason();
    ASSERT_EQ(two_done.state(), v1::SUCCEEDED) << two_done.reason();
    const auto one_summary = nlohmann::json::parse(read_file(server.job_directory(one) / "summary.json"));
    const auto two_summary = nlohmann::json::parse(read_file(server.job_directory(two) / "summary.json"));
    EXPECT_EQ(one_summary["ranks"], 1);
    EXPECT_EQ(two_summary["ranks"], 2);
    EXPECT_EQ(one_summary["spikes_digest"], two_summary["spikes_digest"]);
    EXPECT_EQ(one_summary["spike_count"], two_summary["spike_count"]);
}

TEST(ServiceJobs, CancelEndsARunningJobAndAllItsProcesses)
{
    TemporaryDirectory root;
    ServerProcess server(root.path(), {"--max-ranks", "1", "--kill-grace", "5s"});
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string running = submit_ok(alice, simulation_spec(long_model_yaml()));
    const std::string queued = submit_ok(alice, simulation_spec(long_model_yaml()));
    EXPECT_EQ(alice.wait_for_state(running, v1::RUNNING).state(), v1::RUNNING);
    const std::string marker = server.job_directory(running).string();
    EXPECT_FALSE(processes_with_marker(marker).empty());

    // A queued job is cancelled at once.
    v1::Job reply;
    ASSERT_TRUE(alice.cancel(queued, &reply).ok());
    EXPECT_EQ(reply.state(), v1::CANCELLED);
    EXPECT_NE(reply.reason().find("alice"), std::string::npos) << reply.reason();

    const auto cancel_start = std::chrono::steady_clock::now();
    ASSERT_TRUE(alice.cancel(running, &reply).ok());
    EXPECT_TRUE(reply.cancel_requested());
    const v1::Job ended = alice.wait_until_final(running, 30s);
    EXPECT_EQ(ended.state(), v1::CANCELLED) << ended.reason();
    EXPECT_LT(std::chrono::steady_clock::now() - cancel_start, 10s);
    EXPECT_EQ(ended.reason(), "cancelled by alice");
    EXPECT_FALSE(ended.cancel_requested());
    EXPECT_TRUE(processes_with_marker(marker).empty()) << "processes of the cancelled job are still alive";
    // Cancelling again is too late.
    EXPECT_EQ(alice.cancel(running, &reply).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    v1::Job queued_record;
    ASSERT_TRUE(alice.get(queued, &queued_record).ok());
    EXPECT_EQ(queued_record.state(), v1::CANCELLED);
    EXPECT_FALSE(fs::exists(server.job_directory(queued))) << "a job cancelled while queued never starts";
}

TEST(ServiceJobs, CancelEndsEveryRankOfAnMpirunJobEvenWhenItIgnoresSigterm)
{
    if (std::system("command -v mpirun >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "mpirun is not installed";
    TemporaryDirectory root;
    ServerProcess server(root.path(),
        {"--max-ranks", "2", "--kill-grace", "1s", "--dtb", std::string(DTB_SERVICE_TEST_DIR) + "/stubborn_dtb.sh"});
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string id = submit_ok(alice, simulation_spec(long_model_yaml(), 2));
    ASSERT_EQ(alice.wait_for_state(id, v1::RUNNING, 60s).state(), v1::RUNNING);

    // mpirun leads the job's session; it gives each rank a process group of
    // its own, and each rank here has a `sleep` child.
    const std::string marker = server.job_directory(id).string();
    pid_t session = -1;
    for (const pid_t pid : processes_with_marker(marker))
        if (::getsid(pid) == pid)
            session = pid;
    ASSERT_GT(session, 0) << "no session leader among the job's processes";
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (processes_in_session(session).size() < 5 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(50ms);
    const auto members = processes_in_session(session);
    ASSERT_GE(members.size(), 5u) << "mpirun, 2 ranks and their 2 sleeps";
    std::set<pid_t> groups;
    for (const pid_t pid : members)
        groups.insert(::getpgid(pid));
    EXPECT_GE(groups.size(), 2u) << "the ranks are expected in process groups other than mpirun's";

    v1::Job reply;
    ASSERT_TRUE(alice.cancel(id, &reply).ok());
    const v1::Job ended = alice.wait_until_final(id, 30s);
    EXPECT_EQ(ended.state(), v1::CANCELLED) << ended.reason();
    EXPECT_TRUE(processes_in_session(session).empty()) << "processes of the cancelled job are still alive";
}

TEST(ServiceJobs, TimeLimitEndsTheJobAsTimedOut)
{
    TemporaryDirectory root;
    ServerProcess server(root.path(), {"--kill-grace", "3s"});
    ServiceClient alice(server.address(), TestTokens::alice);
    const std::string id = submit_ok(alice, simulation_spec(long_model_yaml(), 1, 2));
    const v1::Job ended = alice.wait_until_final(id, 60s);
    EXPECT_EQ(ended.state(), v1::TIMED_OUT) << ended.reason();
    EXPECT_NE(ended.reason().find("time limit of 2 s"), std::string::npos) << ended.reason();
    EXPECT_TRUE(processes_with_marker(server.job_directory(id).string()).empty());
    // A job that ended can have its partial results (the log) fetched.
    std::map<std::string, std::string> files;
    ASSERT_TRUE(alice.fetch(id, {}, &files).ok());
    EXPECT_EQ(files.count("dtb.log"), 1u);
    EXPECT_EQ(files.count("summary.json"), 0u);
}

TEST(ServiceJobs, RestartAfterAKilledServerFailsVanishedJobsAndRunsQueuedOnes)
{
    TemporaryDirectory root;
    const std::vector<std::string> arguments = {"--max-ranks", "1"};
    auto server = std::make_unique<ServerProcess>(root.path(), arguments);
    std::string finished, vanished, queued;
    {
        ServiceClient alice(server->address(), TestTokens::alice);
        finished = submit_ok(alice, simulation_spec(quick_model_yaml()));
        EXPECT_EQ(alice.wait_until_final(finished).state(), v1::SUCCEEDED);
        vanished = submit_ok(alice, simulation_spec(long_model_yaml()));
        EXPECT_EQ(alice.wait_for_state(vanished, v1::RUNNING).state(), v1::RUNNING);
        queued = submit_ok(alice, simulation_spec(quick_model_yaml()));
    }
    server->kill_hard();
    // The job's process dies too while no server watches (a lost node).
    const std::string marker = server->job_directory(vanished).string();
    ASSERT_FALSE(processes_with_marker(marker).empty()) << "a killed server leaves its jobs running";
    kill_processes_with_marker(marker);
    ASSERT_TRUE(processes_with_marker(marker).empty());

    server = std::make_unique<ServerProcess>(root.path(), arguments);
    ServiceClient alice(server->address(), TestTokens::alice);
    v1::Job record;
    ASSERT_TRUE(alice.get(vanished, &record).ok());
    EXPECT_EQ(record.state(), v1::FAILED);
    EXPECT_NE(record.reason().find("ended while the server was down"), std::string::npos) << record.reason();
    EXPECT_FALSE(record.has_exit_code());
    EXPECT_TRUE(record.has_finished_at());
    EXPECT_EQ(alice.wait_until_final(queued).state(), v1::SUCCEEDED);
    ASSERT_TRUE(alice.get(finished, &record).ok());
    EXPECT_EQ(record.state(), v1::SUCCEEDED);

    std::map<std::string, int> listed;
    for (const auto& job : alice.list_all())
        ++listed[job.id()];
    EXPECT_EQ(listed, (std::map<std::string, int>{{finished, 1}, {vanished, 1}, {queued, 1}}));
}

TEST(ServiceJobs, JobsThatOutliveAStoppedServerAreFollowedAgainAfterRestart)
{
    TemporaryDirectory root;
    const std::vector<std::string> arguments = {"--max-ranks", "2"};
    auto server = std::make_unique<ServerProcess>(root.path(), arguments);
    std::string medium, endless;
    {
        ServiceClient alice(server->address(), TestTokens::alice);
        medium = submit_ok(alice, simulation_spec(network_yaml("medium", 5000)));
        endless = submit_ok(alice, simulation_spec(long_model_yaml()));
        EXPECT_EQ(alice.wait_for_state(medium, v1::RUNNING).state(), v1::RUNNING);
        EXPECT_EQ(alice.wait_for_state(endless, v1::RUNNING).state(), v1::RUNNING);
    }
    const int status = server->terminate();
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << "SIGTERM is a graceful stop";
    const std::string endless_marker = server->job_directory(endless).string();
    EXPECT_FALSE(processes_with_marker(endless_marker).empty()) << "a stopped server leaves its jobs running";

    server = std::make_unique<ServerProcess>(root.path(), arguments);
    EXPECT_NE(server->log_text().find("job " + endless + ": process"), std::string::npos) << server->log_text();
    EXPECT_NE(server->log_text().find("outlived the previous server"), std::string::npos) << server->log_text();
    ServiceClient alice(server->address(), TestTokens::alice);

    // The medium job ends on its own, observed by the new server (or, on a
    // very fast machine, already while it was down): its results are
    // complete, its exit code could not be seen.
    std::vector<v1::WatchJobResponse> messages;
    ASSERT_TRUE(alice.watch(medium, &messages).ok());
    ASSERT_FALSE(messages.empty());
    const v1::Job& ended = messages.back().job();
    EXPECT_EQ(ended.state(), v1::SUCCEEDED) << ended.reason();
    EXPECT_NE(ended.reason().find("exit code is unknown"), std::string::npos) << ended.reason();
    EXPECT_FALSE(ended.has_exit_code());
    std::map<std::string, std::string> files;
    ASSERT_TRUE(alice.fetch(medium, {"summary.json"}, &files).ok());
    EXPECT_FALSE(files["summary.json"].empty());

    // The endless job is followed again: still running, and cancel reaches it.
    v1::Job record;
    ASSERT_TRUE(alice.get(endless, &record).ok());
    EXPECT_EQ(record.state(), v1::RUNNING);
    ASSERT_TRUE(alice.cancel(endless, &record).ok());
    const v1::Job cancelled = alice.wait_until_final(endless, 30s);
    EXPECT_EQ(cancelled.state(), v1::CANCELLED) << cancelled.reason();
    EXPECT_TRUE(processes_with_marker(endless_marker).empty());
}
