#pragma once
// The Slurm command-line tools as the SlurmRunner uses them: sbatch to
// submit, squeue and `scontrol show job` (and sacct where accounting is
// enabled) to follow, scancel to cancel, `srun --mpi=list` to see whether
// PMIx is available. Each call runs the tool with a timeout; none keeps
// state. The tools find the cluster as usual (SLURM_CONF or the default
// slurm.conf).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dtb::service {

struct SlurmCommandsOptions {
    std::string bin_directory;  // where sbatch etc. are; empty: PATH
    std::chrono::milliseconds timeout{30000};
};

/// What Slurm says about one job.
struct SlurmJobInfo {
    std::string job_id;
    std::string state;        // raw, e.g. "RUNNING", "CANCELLED"
    std::string reason;       // "None" is reported as ""
    std::optional<double> elapsed_s;
    std::optional<int> exit_code;   // of the batch script (ExitCode=E:S -> E)
    std::optional<int> exit_signal; // ExitCode=E:S -> S when S > 0
};

class SlurmCommands {
public:
    explicit SlurmCommands(SlurmCommandsOptions options);

    /// sbatch --parsable SCRIPT; returns the job id. Throws
    /// std::runtime_error with sbatch's message when it fails.
    std::string submit(const std::string& script_path, const std::string& working_directory) const;

    /// squeue for `job_ids` (all states the controller still remembers).
    /// nullopt when squeue fails (e.g. every id is unknown).
    std::optional<std::map<std::string, SlurmJobInfo>> queue(const std::vector<std::string>& job_ids) const;

    /// `scontrol show job -o ID`, falling back to sacct. nullopt when
    /// neither knows the job (it aged out and there is no accounting).
    std::optional<SlurmJobInfo> job(const std::string& job_id) const;

    /// The id of a job with this name (squeue --name), if Slurm knows one.
    std::optional<std::string> job_named(const std::string& job_name) const;

    /// scancel ID; false (with the message in `error`) if it failed.
    bool cancel(const std::string& job_id, std::string& error) const;

    /// Whether `srun --mpi=list` lists pmix.
    bool pmix_available() const;

    /// Runs `sinfo` once: empty when Slurm answers, else the failure.
    std::string check_reachable() const;

private:
    std::string tool(const std::string& name) const;
    SlurmCommandsOptions options_;
};

/// Parses `scontrol show job -o` output (key=value fields).
std::optional<SlurmJobInfo> parse_scontrol_job(const std::string& text);

/// Parses Slurm elapsed times: "M:SS", "H:MM:SS", "D-HH:MM:SS".
std::optional<double> parse_slurm_elapsed(const std::string& text);

} // namespace dtb::service
