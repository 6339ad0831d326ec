// Unit tests of dtb-server's parts that need no running server: the job
// store, the tokens file, the log-line parser, the model file writer, the
// result-file path checks, job ids and duration texts.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "file_text.hpp"
#include "server_process.hpp"
#include "service/common/duration_text.hpp"
#include "service/common/job_state_text.hpp"
#include "service/server/dtb_command_line.hpp"
#include "service/server/input_reference.hpp"
#include "service/server/job_event_log.hpp"
#include "service/server/job_id.hpp"
#include "service/server/job_log_line.hpp"
#include "service/server/job_process.hpp"
#include "service/server/job_store.hpp"
#include "service/server/model_file_writer.hpp"
#include "service/server/request_id.hpp"
#include "service/server/result_files.hpp"
#include "service/server/spec_error.hpp"
#include "service/server/token_authenticator.hpp"
#include "sim/model_loader.hpp"

namespace fs = std::filesystem;
using namespace dtb::service;
namespace v1 = dtb::v1;
using dtb::service::testing::read_file;
using dtb::service::testing::TemporaryDirectory;

namespace {

v1::Job queued_job(const std::string& owner)
{
    v1::Job job;
    job.set_id(new_job_id());
    job.set_owner(owner);
    job.set_state(v1::QUEUED);
    return job;
}

} // namespace

TEST(JobStore, RecordsSurviveReopeningAndUpdatesBumpTheVersion)
{
    TemporaryDirectory directory;
    const std::string database = (directory.path() / "jobs.sqlite").string();
    std::string id;
    {
        JobStore store(database);
        const v1::Job inserted = store.insert(queued_job("alice"), SubmissionLimits{});
        id = inserted.id();
        EXPECT_EQ(inserted.version(), 1u);
        EXPECT_TRUE(inserted.has_created_at());
        const auto updated = store.update(id, [](v1::Job& job) {
            job.set_state(v1::RUNNING);
            return true;
        });
        ASSERT_TRUE(updated);
        EXPECT_EQ(updated->version(), 2u);
        // A change that declines leaves the record and its version alone.
        const auto unchanged = store.update(id, [](v1::Job&) { return false; });
        EXPECT_EQ(unchanged->version(), 2u);
        store.record_process(id, ProcessIdentity{4242, 99});
    }
    JobStore reopened(database);
    const auto found = reopened.find(id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->state(), v1::RUNNING);
    EXPECT_EQ(found->owner(), "alice");
    const auto process = reopened.process_of(id);
    ASSERT_TRUE(process);
    EXPECT_EQ(process->pid, 4242);
    EXPECT_EQ(process->start_ticks, 99);
    EXPECT_FALSE(reopened.find("j-0000000000000000"));
    EXPECT_FALSE(reopened.update("j-0000000000000000", [](v1::Job&) { return true; }));
}

TEST(JobStore, EnforcesQueueAndPerUserLimitsInTheInsert)
{
    TemporaryDirectory directory;
    JobStore store((directory.path() / "jobs.sqlite").string());
    const SubmissionLimits limits{3, 2};
    store.insert(queued_job("alice"), limits);
    store.insert(queued_job("alice"), limits);
    EXPECT_THROW(store.insert(queued_job("alice"), limits), QuotaExceeded);
    store.insert(queued_job("bob"), limits);
    EXPECT_THROW(store.insert(queued_job("bob"), limits), QuotaExceeded); // queue of 3 is full
}

TEST(JobStore, InsertOnceReturnsTheFirstJobForARepeatedRequestId)
{
    TemporaryDirectory directory;
    const std::string database = (directory.path() / "jobs.sqlite").string();
    const SubmissionLimits limits{10, 1};
    v1::Job job = queued_job("alice");
    job.mutable_spec()->mutable_resources()->set_ranks(2);
    std::string first_id;
    {
        JobStore store(database);
        const auto first = store.insert_once(job, limits, "retry-1");
        ASSERT_TRUE(first.created);
        first_id = first.job.id();
        // The retry carries a fresh server-made id, as a new call would; the
        // first job answers, and the per-user quota of 1 is not in the way.
        v1::Job retry = job;
        retry.set_id(new_job_id());
        const auto again = store.insert_once(retry, limits, "retry-1");
        EXPECT_FALSE(again.created);
        EXPECT_EQ(again.job.id(), first_id);
        // Another user's request ids are their own.
        const auto bob = store.insert_once(queued_job("bob"), limits, "retry-1");
        EXPECT_TRUE(bob.created);
        EXPECT_NE(bob.job.id(), first_id);
        // Same request id, different spec: refused, nothing stored.
        v1::Job other = queued_job("alice");
        other.mutable_spec()->mutable_resources()->set_ranks(3);
        EXPECT_THROW(store.insert_once(other, limits, "retry-1"), RequestIdReused);
        JobQuery query;
        query.owner = "alice";
        EXPECT_EQ(store.list(query).jobs.size(), 1u);
    }
    // Remembered across a restart.
    JobStore reopened(database);
    v1::Job retry = job;
    retry.set_id(new_job_id());
    const auto after_restart = reopened.insert_once(retry, limits, "retry-1");
    EXPECT_FALSE(after_restart.created);
    EXPECT_EQ(after_restart.job.id(), first_id);
}

TEST(RequestId, AcceptsUuidLikeIdsAndRefusesOthers)
{
    EXPECT_FALSE(request_id_problem(""));
    EXPECT_FALSE(request_id_problem("3f2b9c1e-8d4a-4e6b-9f1a-2c7d5e8b0a13"));
    EXPECT_FALSE(request_id_problem("nightly.run_7:part-2"));
    EXPECT_FALSE(request_id_problem(std::string(128, 'a')));
    EXPECT_TRUE(request_id_problem(std::string(129, 'a')));
    EXPECT_TRUE(request_id_problem("has space"));
    EXPECT_TRUE(request_id_problem("../etc"));
    EXPECT_TRUE(request_id_problem(std::string("nul\0byte", 8)));
}

TEST(JobStore, ListsNewestFirstInPagesFilteredByOwnerAndState)
{
    TemporaryDirectory directory;
    JobStore store((directory.path() / "jobs.sqlite").string());
    std::vector<std::string> alice_ids;
    for (int i = 0; i < 5; ++i) {
        alice_ids.push_back(store.insert(queued_job("alice"), SubmissionLimits{}).id());
        store.insert(queued_job("bob"), SubmissionLimits{});
    }
    store.update(alice_ids[1], [](v1::Job& job) {
        job.set_state(v1::FAILED);
        return true;
    });
    JobQuery query;
    query.owner = "alice";
    query.limit = 2;
    std::vector<std::string> listed;
    for (;;) {
        const JobPage page = store.list(query);
        for (const auto& job : page.jobs) {
            EXPECT_EQ(job.owner(), "alice");
            listed.push_back(job.id());
        }
        if (!page.next_before_sequence)
            break;
        query.before_sequence = page.next_before_sequence;
    }
    EXPECT_EQ(listed, std::vector<std::string>(alice_ids.rbegin(), alice_ids.rend()));

    JobQuery failed;
    failed.states = {v1::FAILED};
    const JobPage failed_page = store.list(failed);
    ASSERT_EQ(failed_page.jobs.size(), 1u);
    EXPECT_EQ(failed_page.jobs[0].id(), alice_ids[1]);
    EXPECT_EQ(store.oldest_in_state(v1::QUEUED)->id(), alice_ids[0]);
}

TEST(JobEventLog, WatchersSeeEveryStateChangeButOnlyTheLatestProgress)
{
    JobEventLog log;
    v1::Job before;
    before.set_id("j-00000000000000aa");
    before.set_state(v1::QUEUED);
    before.set_version(1);
    v1::Job running = before;
    running.set_state(v1::RUNNING);
    running.set_version(2);
    log.record(before, running);
    for (int i = 1; i <= 3; ++i) {
        v1::Job progressed = running;
        progressed.set_version(2 + i);
        progressed.mutable_progress()->set_fraction(0.25 * i);
        log.record(running, progressed);
    }
    const auto events = log.wait_for_events("j-00000000000000aa", 1, std::chrono::milliseconds(10));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, v1::WatchJobResponse::STATE_CHANGED);
    EXPECT_EQ(events[1].kind, v1::WatchJobResponse::PROGRESS);
    EXPECT_DOUBLE_EQ(events[1].job.progress().fraction(), 0.75);
    EXPECT_TRUE(log.wait_for_events("j-00000000000000aa", 5, std::chrono::milliseconds(10)).empty());

    std::thread closer([&]() {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        log.close();
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(log.wait_for_events("j-00000000000000aa", 5, std::chrono::seconds(30)).empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    closer.join();
}

TEST(TokenAuthenticator, ParsesUsersTokensAndAdminsAndRejectsBadFiles)
{
    const auto tokens = TokenAuthenticator::from_text(
        "# comment\n\nalice alice-token-0123456789\nroot root-token-0123456789 admin # the operator\n", "tokens");
    EXPECT_EQ(tokens.size(), 2u);
    const auto alice = tokens.authenticate("alice-token-0123456789");
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->user, "alice");
    EXPECT_FALSE(alice->admin);
    EXPECT_TRUE(tokens.authenticate("root-token-0123456789")->admin);
    EXPECT_FALSE(tokens.authenticate("alice-token-012345678"));
    EXPECT_FALSE(tokens.authenticate(""));

    EXPECT_THROW(TokenAuthenticator::from_text("alice\n", "f"), std::runtime_error);
    EXPECT_THROW(TokenAuthenticator::from_text("alice short\n", "f"), std::runtime_error);
    EXPECT_THROW(TokenAuthenticator::from_text("a tok-0123456789abcdef\nb tok-0123456789abcdef\n", "f"),
        std::runtime_error);
    EXPECT_THROW(TokenAuthenticator::from_text("a tok-0123456789abcdef root\n", "f"), std::runtime_error);
    EXPECT_THROW(TokenAuthenticator::from_text("# nothing\n", "f"), std::runtime_error);
    try {
        TokenAuthenticator::from_text("alice ok-token-0123456789\nbob\n", "tokens.txt");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("tokens.txt: line 2"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(JobLogLine, ReadsProgressBuildAndErrorLinesOfDtbRun)
{
    const auto progress = parse_job_log_line("simulate  40%  t = 200.0 / 500.0 ms  rtf 5.77  eta 2 s");
    EXPECT_EQ(progress.kind, JobLogLine::Kind::Progress);
    EXPECT_EQ(progress.phase, "simulate");
    EXPECT_DOUBLE_EQ(progress.fraction, 0.4);
    EXPECT_DOUBLE_EQ(progress.simulated_ms, 200.0);
    EXPECT_DOUBLE_EQ(progress.total_ms, 500.0);
    EXPECT_DOUBLE_EQ(progress.real_time_factor, 5.77);
    EXPECT_DOUBLE_EQ(progress.eta_s, 2.0);
    EXPECT_EQ(parse_job_log_line("warm-up 100%  t = 50.0 / 50.0 ms  rtf 0.10  eta 0 s").phase, "warm-up");
    EXPECT_EQ(parse_job_log_line("dtb: 500 neurons, 20000 synapses, built in 0.03 s on Serial").kind,
        JobLogLine::Kind::NetworkBuilt);
    const auto error = parse_job_log_line("dtb: error: m.yaml: populations[0].size: must be >= 1");
    EXPECT_EQ(error.kind, JobLogLine::Kind::Error);
    EXPECT_EQ(error.message, "m.yaml: populations[0].size: must be >= 1");
    EXPECT_EQ(parse_job_log_line("dtb: building m.yaml").kind, JobLogLine::Kind::Other);
}

TEST(JobLogLine, ReadsTheTrLinesOfDtbAssimilate)
{
    const auto tr = parse_job_log_line("dtb: TR 3/12 1.25 s  g_ampa_E mean 0.004123 spread 0.000612");
    EXPECT_EQ(tr.kind, JobLogLine::Kind::Progress);
    EXPECT_EQ(tr.phase, "assimilate");
    EXPECT_DOUBLE_EQ(tr.fraction, 0.25);
    EXPECT_DOUBLE_EQ(tr.eta_s, 9 * 1.25);
    EXPECT_DOUBLE_EQ(tr.total_ms, 0.0);
    const auto warm_up = parse_job_log_line("dtb: TR 1/4 (warm-up) 0.50 s  g_ampa_E mean 0.004 spread 0.001");
    EXPECT_EQ(warm_up.phase, "assimilate (warm-up)");
    EXPECT_DOUBLE_EQ(warm_up.fraction, 0.25);
    EXPECT_EQ(parse_job_log_line("dtb: assimilating with 8 members on 1 rank (1 member group), 4 voxels").kind,
        JobLogLine::Kind::Other);
}

TEST(InputReference, AcceptsRelativePathsAndJobResultsOnly)
{
    const auto relative = parse_input_reference("atlases/aal.nii.gz", "spec.brain_build.atlas");
    EXPECT_EQ(relative.source, InputReference::Source::InputDirectory);
    EXPECT_EQ(relative.relative_path, "atlases/aal.nii.gz");
    const auto result = parse_input_reference("job:j-0123456789abcdef/bundle/model.yaml", "f");
    EXPECT_EQ(result.source, InputReference::Source::JobResult);
    EXPECT_EQ(result.job_id, "j-0123456789abcdef");
    EXPECT_EQ(result.relative_path, "bundle/model.yaml");
    for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "..", ".", "a\nb",
             "job:", "job:j-0123456789abcdef", "job:j-0123456789abcdef/", "job:j-0123456789abcdef/../x",
             "job:../x/y", "job:J-0123456789ABCDEF/x", "job:j-0123456789abcdef//x"}) {
        try {
            parse_input_reference(bad, "spec.brain_build.atlas");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const SpecError& e) {
            EXPECT_EQ(e.field_path(), "spec.brain_build.atlas") << bad;
            EXPECT_EQ(e.kind(), SpecError::Kind::Invalid) << bad;
        }
    }
}

TEST(DtbCommandLine, NamesTheSubcommandOfEachJobKindWithResolvedInputs)
{
    const std::string directory = "/data/jobs/j-0123456789abcdef";
    v1::Job job;
    job.set_id("j-0123456789abcdef");
    job.mutable_spec()->mutable_simulation()->set_warmup_ms(100);
    EXPECT_EQ(dtb_arguments(job, directory, {}),
        (std::vector<std::string>{"run", directory + "/model.yaml", "--out", directory, "--warmup-ms", "100"}));

    auto* build = job.mutable_spec()->mutable_brain_build();
    build->set_atlas("atlases/aal.nii.gz");
    build->set_neurons(1000);
    build->set_regions(true);
    build->set_lambda(0.25);
    build->set_name("--out");
    JobInputs inputs;
    inputs.atlas = "/srv/inputs/atlases/aal.nii.gz";
    inputs.connectivity = "/srv/inputs/tvb";
    // Unset options are left to dtb's defaults; values are attached with '='.
    EXPECT_EQ(dtb_arguments(job, directory, inputs),
        (std::vector<std::string>{"build-brain", "--atlas=/srv/inputs/atlases/aal.nii.gz",
            "--connectivity=/srv/inputs/tvb", "--neurons=1000", "--regions", "--lambda=0.25", "--name=--out", "--out",
            directory}));

    job.mutable_spec()->mutable_assimilation();
    EXPECT_EQ(dtb_arguments(job, directory, {}),
        (std::vector<std::string>{"assimilate", directory + "/config.yaml", "--out", directory}));
}

TEST(ModelFileWriter, WritesAFileTheModelLoaderReadsBackUnchanged)
{
    for (const char* example : {"brunel.yaml", "dtb_block.yaml", "microcircuit.yaml"}) {
        const fs::path path = fs::path(DTB_SOURCE_DIR) / "examples" / example;
        if (!fs::exists(path))
            continue;
        const auto model = dtb::sim::parse_model_text(read_file(path), path.string());
        const std::string text = model_file_text(model);
        const auto reread = dtb::sim::parse_model_text(text, "written");
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(model, reread)) << example << ":\n" << text;
    }
    // Explicitly set zeros and falses, awkward strings and doubles survive.
    dtb::sim::v1::Model model;
    model.set_name("quote \" backslash \\ tab \t newline \n unicode \xc3\xa9");
    model.mutable_simulation()->set_seed(0);
    model.mutable_simulation()->mutable_record()->set_spikes(false);
    model.mutable_simulation()->set_t_stop_ms(0.1 + 0.2);
    auto* population = model.add_populations();
    population->set_name("E");
    population->set_size(18446744073709551615ull);
    population->mutable_iaf_psc_exp();
    population->mutable_v_init()->set_kind("constant");
    population->mutable_v_init()->set_value(-1e-300);
    const auto reread = dtb::sim::parse_model_text(model_file_text(model), "written");
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(model, reread)) << model_file_text(model);
}

TEST(ResultFiles, ListAndOpenOnlyRegularFilesInsideTheDirectory)
{
    TemporaryDirectory directory;
    const fs::path results = directory.path() / "job";
    fs::create_directories(results / "sub");
    std::ofstream(results / "summary.json") << "{}";
    std::ofstream(results / "sub" / "inner.txt") << "inner";
    std::ofstream(directory.path() / "secret.txt") << "secret";
    fs::create_symlink(directory.path() / "secret.txt", results / "leak");
    fs::create_directory_symlink(directory.path(), results / "up");

    std::vector<std::string> listed;
    for (const auto& file : list_result_files(results.string()))
        listed.push_back(file.path);
    EXPECT_EQ(listed, (std::vector<std::string>{"sub/inner.txt", "summary.json"}));

    const int fd = open_result_file(results.string(), "sub/inner.txt");
    EXPECT_GE(fd, 0);
    ::close(fd);
    for (const char* hostile : {"leak", "up/secret.txt", "../secret.txt", "/etc/passwd", "sub/../summary.json",
             "./summary.json", "", "sub", "sub//inner.txt", "missing"})
        EXPECT_THROW(open_result_file(results.string(), hostile), std::runtime_error) << hostile;
}

TEST(JobId, IsRandomAndCheckedStrictly)
{
    const std::string a = new_job_id(), b = new_job_id();
    EXPECT_NE(a, b);
    EXPECT_TRUE(is_well_formed_job_id(a));
    for (const char* bad : {"", "j-", "j-0123", "../../etc/passwd", "j-0123456789ABCDEF", "j-0123456789abcdeg",
             "x-0123456789abcdef", "j-0123456789abcdef0"})
        EXPECT_FALSE(is_well_formed_job_id(bad)) << bad;
}

TEST(DurationText, ParsesWhatPeopleTypeAndRejectsTheRest)
{
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("90"), 90);
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("90s"), 90);
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("15m"), 900);
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("1h30m"), 5400);
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("2d"), 172800);
    EXPECT_DOUBLE_EQ(*parse_duration_seconds("500ms"), 0.5);
    for (const char* bad : {"", "-5", "5x", "h", "1h30", "nan", "inf"})
        EXPECT_FALSE(parse_duration_seconds(bad)) << bad;
    EXPECT_EQ(format_duration(45), "45 s");
    EXPECT_EQ(format_duration(3725), "1 h 2 min");
    EXPECT_EQ(parse_job_state("running"), v1::RUNNING);
    EXPECT_FALSE(parse_job_state("JOB_STATE_UNSPECIFIED"));
}

TEST(JobProcess, RunsInItsOwnSessionAndReportsItsExit)
{
    TemporaryDirectory directory;
    LaunchCommand command;
    command.argv = {"/bin/sh", "-c", "echo hello; perl -e 'setpgrp(0, 0); sleep 30' & exit 3"};
    command.working_directory = directory.path().string();
    command.log_path = (directory.path() / "log").string();
    JobProcess process = JobProcess::launch(command);
    EXPECT_EQ(::getsid(static_cast<pid_t>(process.identity().pid)), process.identity().pid);
    EXPECT_EQ(::getpgid(static_cast<pid_t>(process.identity().pid)), process.identity().pid);
    std::optional<ProcessExit> exit;
    for (int i = 0; i < 200 && !exit; ++i) {
        exit = process.poll_leader_exit();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(exit);
    EXPECT_TRUE(exit->observed);
    EXPECT_EQ(exit->exit_code, 3);
    // The background sleep, even in a process group of its own, is still
    // in the session until it is killed.
    EXPECT_TRUE(process.any_alive());
    process.signal_all(SIGKILL);
    for (int i = 0; i < 200 && process.any_alive(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(process.any_alive());
    EXPECT_EQ(read_file(directory.path() / "log"), "hello\n");
    EXPECT_FALSE(JobProcess::adopt(process.identity(), "sleep"));
}
