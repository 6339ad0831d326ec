// Unit tests of the Slurm runner's parts that need no Slurm: the state
// mapping, the parsers of scontrol/squeue output, the batch script, and the
// command runner.
#include <gtest/gtest.h>

#include "service/server/command_output.hpp"
#include "service/server/dtb_command_line.hpp"
#include "service/server/slurm_batch_script.hpp"
#include "service/server/slurm_commands.hpp"
#include "service/server/slurm_job_state.hpp"

using namespace dtb::service;
namespace v1 = dtb::v1;
using Phase = SlurmJobState::Phase;

TEST(SlurmJobState, MapsEverySlurmStateKeepingUnknownOnesOpen)
{
    EXPECT_EQ(map_slurm_job_state("PENDING").phase, Phase::Waiting);
    EXPECT_EQ(map_slurm_job_state("RUNNING").phase, Phase::Running);
    EXPECT_EQ(map_slurm_job_state("COMPLETING").phase, Phase::Ending);
    EXPECT_EQ(map_slurm_job_state("COMPLETED").final_state, v1::SUCCEEDED);
    EXPECT_EQ(map_slurm_job_state("CANCELLED").final_state, v1::CANCELLED);
    EXPECT_EQ(map_slurm_job_state("CANCELLED by 0").final_state, v1::CANCELLED);
    EXPECT_EQ(map_slurm_job_state("TIMEOUT").final_state, v1::TIMED_OUT);
    EXPECT_EQ(map_slurm_job_state("DEADLINE").final_state, v1::TIMED_OUT);
    for (const char* failed : {"FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "PREEMPTED"}) {
        const auto mapped = map_slurm_job_state(failed);
        EXPECT_EQ(mapped.phase, Phase::Ended) << failed;
        EXPECT_EQ(mapped.final_state, v1::FAILED) << failed;
    }
    EXPECT_NE(map_slurm_job_state("NODE_FAIL").failure_reason.find("NODE_FAIL"), std::string::npos);
    EXPECT_NE(map_slurm_job_state("OUT_OF_MEMORY").failure_reason.find("memory"), std::string::npos);
    EXPECT_EQ(map_slurm_job_state("SOME_FUTURE_STATE").phase, Phase::Unknown);
}

TEST(SlurmCommands, ParsesScontrolAndElapsedTimes)
{
    const auto info = parse_scontrol_job(
        "JobId=42 JobName=dtb-j-0123456789abcdef UserId=root(0) JobState=FAILED Reason=NonZeroExitCode "
        "Dependency=(null) ExitCode=2:0 RunTime=00:01:05 TimeLimit=00:01:00");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->job_id, "42");
    EXPECT_EQ(info->state, "FAILED");
    EXPECT_EQ(info->reason, "NonZeroExitCode");
    EXPECT_EQ(info->exit_code, 2);
    EXPECT_FALSE(info->exit_signal);
    EXPECT_EQ(info->elapsed_s, 65.0);
    const auto killed = parse_scontrol_job("JobId=7 JobState=CANCELLED Reason=None ExitCode=0:15 RunTime=1-02:03:04");
    ASSERT_TRUE(killed);
    EXPECT_EQ(killed->reason, "");
    EXPECT_EQ(killed->exit_signal, 15);
    EXPECT_EQ(killed->elapsed_s, ((24.0 + 2) * 60 + 3) * 60 + 4);
    EXPECT_FALSE(parse_scontrol_job("slurm_load_jobs error: Invalid job id specified"));
    EXPECT_EQ(parse_slurm_elapsed("0:07"), 7.0);
    EXPECT_FALSE(parse_slurm_elapsed("INVALID"));
}

TEST(SlurmBatchScript, AsksForTasksTimeAndOutputAndLaunchesEveryRank)
{
    v1::Job job;
    job.set_id("j-0123456789abcdef");
    job.set_owner("alice");
    job.mutable_spec()->mutable_resources()->set_ranks(4);
    job.mutable_spec()->mutable_resources()->mutable_time_limit()->set_seconds(90);
    job.mutable_spec()->mutable_simulation()->set_warmup_ms(100);
    SlurmBatchOptions options;
    options.dtb_executable = "/opt/dtb/bin/dtb";
    options.partition = "gpu";
    options.account = "brain";
    options.gpus_per_task = 1;
    const std::string directory = "/data/jobs/j-0123456789abcdef";
    const std::string srun = slurm_batch_script(job, directory, dtb_arguments(job, directory, {}), options);
    for (const char* line : {"#SBATCH --job-name=dtb-j-0123456789abcdef\n", "#SBATCH --ntasks=4\n",
             "#SBATCH --time=2\n", "#SBATCH --output=/data/jobs/j-0123456789abcdef/dtb.log\n",
             "#SBATCH --partition=gpu\n", "#SBATCH --account=brain\n", "#SBATCH --gpus-per-task=1\n",
             "exec srun --mpi=pmix --kill-on-bad-exit=1 '/opt/dtb/bin/dtb' 'run' "
             "'/data/jobs/j-0123456789abcdef/model.yaml' '--out' '/data/jobs/j-0123456789abcdef' '--warmup-ms' "
             "'100'\n"})
        EXPECT_NE(srun.find(line), std::string::npos) << line << "\nin:\n" << srun;
    options.launcher = SlurmBatchOptions::Launcher::Mpirun;
    const std::string mpirun = slurm_batch_script(job, directory, dtb_arguments(job, directory, {}), options);
    EXPECT_NE(mpirun.find("exec 'mpirun' -np \"$SLURM_NTASKS\" '/opt/dtb/bin/dtb' 'run'"), std::string::npos) << mpirun;
    // Other job kinds: the same launch of their own dtb command line, every
    // word quoted for bash.
    job.mutable_spec()->mutable_assimilation();
    const std::string assimilation = slurm_batch_script(job, directory, dtb_arguments(job, directory, {}), options);
    EXPECT_NE(assimilation.find("'/opt/dtb/bin/dtb' 'assimilate' '/data/jobs/j-0123456789abcdef/config.yaml' '--out' "
                                "'/data/jobs/j-0123456789abcdef'\n"),
        std::string::npos)
        << assimilation;
    job.mutable_spec()->mutable_brain_build()->set_neurons(100);
    JobInputs inputs;
    inputs.atlas = "/srv/in/it's.nii";
    const std::string build = slurm_batch_script(job, directory, dtb_arguments(job, directory, inputs), options);
    EXPECT_NE(build.find("'/opt/dtb/bin/dtb' 'build-brain' '--atlas=/srv/in/it'\\''s.nii' '--neurons=100' '--out'"),
        std::string::npos)
        << build;
    EXPECT_EQ(slurm_time_limit_minutes(1), 1);
    EXPECT_EQ(slurm_time_limit_minutes(60), 1);
    EXPECT_EQ(slurm_time_limit_minutes(61), 2);
}

TEST(CommandOutput, CollectsOutputExitCodesAndTimesOut)
{
    const auto echoed = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
    EXPECT_TRUE(echoed.started);
    EXPECT_EQ(echoed.exit_code, 3);
    EXPECT_EQ(echoed.standard_output, "out\n");
    EXPECT_EQ(echoed.standard_error, "err\n");
    EXPECT_FALSE(echoed.succeeded());
    const auto slow = run_command({"sleep", "10"}, std::chrono::milliseconds(200));
    EXPECT_TRUE(slow.timed_out);
    const auto missing = run_command({"/nonexistent/sbatch"}, std::chrono::seconds(1));
    EXPECT_FALSE(missing.started);
    EXPECT_FALSE(missing.error.empty());
}
