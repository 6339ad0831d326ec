// Brain-build and assimilation jobs on a real dtb-server with an input
// directory: a build from a synthetic atlas gives the bundle `dtb
// build-brain` writes locally, a simulation and a twin assimilation run on
// that bundle by naming the build's results (job:ID/...), and the
// assimilation gives the numbers of a local `dtb assimilate`. Then the input
// policy: absolute paths, '..', symbolic links out of the input directory,
// other users' jobs, jobs that have not succeeded and missing files are each
// refused with their status code and the field's path.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "brain_job_inputs.hpp"
#include "file_text.hpp"
#include "server_process.hpp"
#include "service_client.hpp"
#include "sim/model_loader.hpp"
#include "test_models.hpp"

namespace fs = std::filesystem;
namespace v1 = dtb::v1;
using namespace dtb::service::testing;
using namespace std::chrono_literals;

namespace {

int run_command(const std::string& command) { return std::system(command.c_str()); }

bool have_h5py() { return run_command(std::string(DTB_PYTHON3) + " -c 'import h5py' 2>/dev/null") == 0; }

// Writes `content` to `root/name` and compares it with `local` through
// compare_hdf5_files.py (HDF5 bytes carry creation times).
void expect_same_hdf5(const fs::path& root, const std::string& name, const std::string& content, const fs::path& local)
{
    const fs::path fetched = root / ("fetched_" + name);
    std::ofstream(fetched, std::ios::binary) << content;
    EXPECT_EQ(run_command(std::string(DTB_PYTHON3) + " " + DTB_SERVICE_TEST_DIR + "/compare_hdf5_files.py "
                  + fetched.string() + " " + local.string()),
        0)
        << name;
}

v1::JobSpec assimilation_spec(const std::string& config_yaml)
{
    v1::JobSpec spec;
    dtb::sim::parse_yaml_message(config_yaml, "test config", *spec.mutable_assimilation()->mutable_config());
    return spec;
}

// The status of submitting `spec`; expects `code` and a message that starts
// with `field`.
void expect_refused(ServiceClient& client, const v1::JobSpec& spec, grpc::StatusCode code, const std::string& field)
{
    v1::Job job;
    const auto status = client.submit(spec, &job);
    EXPECT_EQ(status.error_code(), code) << field << ": " << status.error_message();
    EXPECT_EQ(status.error_message().rfind(field + ": ", 0), 0u) << status.error_message();
}

v1::JobSpec with_atlas(const std::string& atlas)
{
    v1::JobSpec spec = brain_build_spec();
    spec.mutable_brain_build()->set_atlas(atlas);
    return spec;
}

} // namespace

TEST(ServiceBrainJobs, BuildThenSimulateAndAssimilateItsBundleAsDtbDoesLocally)
{
    TemporaryDirectory root;
    const fs::path inputs = root.path() / "inputs";
    write_brain_inputs(inputs);
    ServerProcess server(root.path(), {"--input-dir", inputs.string()});
    ServiceClient alice(server.address(), TestTokens::alice);

    // The build, and the same build by `dtb build-brain` here.
    const std::string build = submit_ok(alice, brain_build_spec());
    const v1::Job built = alice.wait_until_final(build, 60s);
    ASSERT_EQ(built.state(), v1::SUCCEEDED) << built.reason() << "\n" << server.log_text();
    std::map<std::string, std::string> bundle;
    ASSERT_TRUE(alice.fetch(build, {}, &bundle).ok());
    for (const char* name : {"model.yaml", "brain.h5", "report.txt", "dtb.log"})
        ASSERT_EQ(bundle.count(name), 1u) << name;
    const fs::path local_bundle = root.path() / "local_bundle";
    ASSERT_EQ(run_command(std::string(DTB_EXECUTABLE) + " " + brain_build_command_arguments(inputs, local_bundle)
                  + " >/dev/null 2>&1"),
        0);
    EXPECT_EQ(bundle["model.yaml"], read_file(local_bundle / "model.yaml"));
    EXPECT_EQ(bundle["report.txt"], read_file(local_bundle / "report.txt"));
    if (have_h5py())
        expect_same_hdf5(root.path(), "brain.h5", bundle["brain.h5"], local_bundle / "brain.h5");

    // A simulation of the bundle, its arrays named as the build's result.
    v1::JobSpec simulation;
    *simulation.mutable_simulation()->mutable_model() = dtb::sim::parse_model_text(bundle["model.yaml"], "bundle");
    auto* model = simulation.mutable_simulation()->mutable_model();
    model->mutable_brain()->set_arrays("job:" + build + "/brain.h5");
    model->mutable_simulation()->set_t_stop_ms(100);
    const std::string simulated = submit_ok(alice, simulation);
    const v1::Job simulation_done = alice.wait_until_final(simulated, 60s);
    EXPECT_EQ(simulation_done.state(), v1::SUCCEEDED) << simulation_done.reason();
    EXPECT_NE(read_file(server.job_directory(simulated) / "model.yaml")
                  .find("\"arrays\": \"" + fs::canonical(server.job_directory(build) / "brain.h5").string() + "\""),
        std::string::npos)
        << "the model file carries the resolved arrays path";

    // A twin assimilation into the build's model, watched to the end, and
    // the same config run by `dtb assimilate` here on the local bundle.
    const std::string assimilated
        = submit_ok(alice, assimilation_spec(twin_config_yaml("job:" + build + "/model.yaml")));
    std::vector<v1::WatchJobResponse> messages;
    ASSERT_TRUE(alice.watch(assimilated, &messages, 120s).ok());
    ASSERT_FALSE(messages.empty());
    const v1::Job assimilation_done = messages.back().job();
    ASSERT_EQ(assimilation_done.state(), v1::SUCCEEDED) << assimilation_done.reason();
    bool saw_tr_progress = false;
    for (const auto& message : messages)
        saw_tr_progress |= message.job().state() == v1::RUNNING && message.job().progress().phase() == "assimilate"
            && message.job().progress().fraction() > 0;
    EXPECT_TRUE(saw_tr_progress) << "WatchJob reports the TRs `dtb assimilate` prints";
    std::map<std::string, std::string> results;
    ASSERT_TRUE(alice.fetch(assimilated, {}, &results).ok());
    for (const char* name : {"summary.json", "assimilation.h5", "observed_bold.h5", "config.yaml", "dtb.log"})
        ASSERT_EQ(results.count(name), 1u) << name;
    const fs::path local_config = root.path() / "local_config.yaml";
    std::ofstream(local_config) << twin_config_yaml((local_bundle / "model.yaml").string());
    const fs::path local_results = root.path() / "local_assimilation";
    ASSERT_EQ(run_command(std::string(DTB_EXECUTABLE) + " assimilate " + local_config.string() + " --out "
                  + local_results.string() + " >/dev/null 2>&1"),
        0);
    auto served = nlohmann::json::parse(results["summary.json"]);
    auto local = nlohmann::json::parse(read_file(local_results / "summary.json"));
    // Paths and wall-clock times differ; every number of the filter agrees.
    for (const char* key : {"config", "model", "wall_s", "truth_s", "assimilation_s", "replay_s", "time_per_tr_s",
             "time_per_tr_member_s", "construction_s"}) {
        EXPECT_TRUE(served.contains(key)) << key;
        served.erase(key);
        local.erase(key);
    }
    EXPECT_EQ(served, local) << "served:\n" << served.dump(1) << "\nlocal:\n" << local.dump(1);
    EXPECT_EQ(served["trs"], 3);
    EXPECT_TRUE(served["hyperparameters"].contains("g_ampa_E"));
    if (have_h5py())
        expect_same_hdf5(root.path(), "assimilation.h5", results["assimilation.h5"], local_results / "assimilation.h5");
}

TEST(ServiceBrainJobs, InputsOutsideTheInputDirectoryOrOtherUsersResultsAreRefused)
{
    TemporaryDirectory root;
    const fs::path inputs = root.path() / "inputs";
    write_brain_inputs(inputs);
    fs::create_directories(root.path() / "outside");
    fs::copy_file(inputs / "atlases" / "four_regions.nii.gz", root.path() / "outside" / "secret.nii.gz");
    fs::create_symlink("../../outside/secret.nii.gz", inputs / "atlases" / "escape.nii.gz");
    fs::create_symlink(root.path(), inputs / "up");
    fs::create_symlink("four_regions.nii.gz", inputs / "atlases" / "alias.nii.gz"); // stays inside: allowed
    ServerProcess server(root.path(), {"--input-dir", inputs.string()});
    ServiceClient alice(server.address(), TestTokens::alice);
    ServiceClient bob(server.address(), TestTokens::bob);
    using Code = grpc::StatusCode;
    const std::string atlas = "spec.brain_build.atlas";

    expect_refused(alice, with_atlas((root.path() / "outside" / "secret.nii.gz").string()), Code::INVALID_ARGUMENT,
        atlas);
    expect_refused(alice, with_atlas("/etc/passwd"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("../outside/secret.nii.gz"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("atlases/../../outside/secret.nii.gz"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("atlases/escape.nii.gz"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("up/outside/secret.nii.gz"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("atlases/missing.nii.gz"), Code::NOT_FOUND, atlas);
    expect_refused(alice, with_atlas("tvb"), Code::INVALID_ARGUMENT, atlas); // a directory
    expect_refused(alice, with_atlas(""), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("job:not-an-id/model.yaml"), Code::INVALID_ARGUMENT, atlas);
    expect_refused(alice, with_atlas("job:j-0123456789abcdef/model.yaml"), Code::NOT_FOUND, atlas);
    auto escaping_connectivity = brain_build_spec();
    escaping_connectivity.mutable_brain_build()->set_connectivity("up/outside");
    expect_refused(alice, escaping_connectivity, Code::INVALID_ARGUMENT, "spec.brain_build.connectivity");
    auto missing_density = brain_build_spec();
    missing_density.mutable_brain_build()->set_density("maps/pet.nii.gz");
    expect_refused(alice, missing_density, Code::NOT_FOUND, "spec.brain_build.density");

    // Ranges, checked as `dtb build-brain` checks them.
    auto too_few_neurons = brain_build_spec();
    too_few_neurons.mutable_brain_build()->set_neurons(1);
    expect_refused(alice, too_few_neurons, Code::INVALID_ARGUMENT, "spec.brain_build.neurons");
    auto zero_in_degree = brain_build_spec();
    zero_in_degree.mutable_brain_build()->set_in_degree(0);
    expect_refused(alice, zero_in_degree, Code::INVALID_ARGUMENT, "spec.brain_build.in_degree");
    auto voxels_and_regions = brain_build_spec();
    voxels_and_regions.mutable_brain_build()->set_voxel_mm(4);
    expect_refused(alice, voxels_and_regions, Code::INVALID_ARGUMENT, "spec.brain_build.voxel_mm");
    auto two_ranks = brain_build_spec();
    two_ranks.mutable_resources()->set_ranks(2);
    expect_refused(alice, two_ranks, Code::INVALID_ARGUMENT, "spec.resources.ranks");

    // Job results: only the owner's, only once they succeeded.
    const std::string bobs = submit_ok(bob, dtb::service::testing::simulation_spec(quick_model_yaml()));
    ASSERT_EQ(bob.wait_until_final(bobs).state(), v1::SUCCEEDED);
    expect_refused(alice, assimilation_spec(twin_config_yaml("job:" + bobs + "/model.yaml")), Code::PERMISSION_DENIED,
        "spec.assimilation.config.model");
    expect_refused(bob, assimilation_spec(twin_config_yaml("job:" + bobs + "/nothing.yaml")), Code::NOT_FOUND,
        "spec.assimilation.config.model");
    expect_refused(bob, assimilation_spec(twin_config_yaml("job:" + bobs + "/../" + bobs + "/model.yaml")),
        Code::INVALID_ARGUMENT, "spec.assimilation.config.model");
    const std::string running = submit_ok(alice, dtb::service::testing::simulation_spec(long_model_yaml()));
    expect_refused(alice, assimilation_spec(twin_config_yaml("job:" + running + "/model.yaml")),
        Code::FAILED_PRECONDITION, "spec.assimilation.config.model");
    v1::Job cancelled;
    ASSERT_TRUE(alice.cancel(running, &cancelled).ok());
    EXPECT_EQ(alice.wait_until_final(running, 30s).state(), v1::CANCELLED);
    expect_refused(alice, assimilation_spec(twin_config_yaml("job:" + running + "/model.yaml")),
        Code::FAILED_PRECONDITION, "spec.assimilation.config.model");
    auto absolute_bold = assimilation_spec(twin_config_yaml("job:" + bobs + "/model.yaml"));
    absolute_bold.mutable_assimilation()->mutable_config()->set_bold("/etc/passwd");
    expect_refused(bob, absolute_bold, Code::INVALID_ARGUMENT, "spec.assimilation.config.bold");
    auto arrays_outside = dtb::service::testing::simulation_spec(quick_model_yaml());
    arrays_outside.mutable_simulation()->mutable_model()->mutable_brain()->set_arrays("../outside/brain.h5");
    expect_refused(alice, arrays_outside, Code::INVALID_ARGUMENT, "spec.simulation.model.brain.arrays");

    // A link that stays inside the input directory is fine.
    const std::string aliased = submit_ok(alice, with_atlas("atlases/alias.nii.gz"));
    EXPECT_EQ(alice.wait_until_final(aliased, 60s).state(), v1::SUCCEEDED);
}

TEST(ServiceBrainJobs, WithoutInputDirectoriesOnlyJobResultsCanBeNamed)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    ServiceClient alice(server.address(), TestTokens::alice);
    v1::Job job;
    const auto status = alice.submit(brain_build_spec(), &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message().rfind("spec.brain_build.atlas: ", 0), 0u) << status.error_message();
    EXPECT_NE(status.error_message().find("--input-dir"), std::string::npos) << status.error_message();
    EXPECT_NE(status.error_message().find("job:ID/PATH"), std::string::npos) << status.error_message();
}
