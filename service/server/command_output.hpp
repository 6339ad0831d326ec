#pragma once
// Runs a short-lived program (sbatch, scontrol, scancel, srun --mpi=list)
// and collects its exit status and output. The program gets /dev/null as
// stdin, an empty signal mask and default signal dispositions (the server
// blocks SIGTERM/SIGINT in its threads), and none of the server's other
// file descriptors. It is killed if it runs past its timeout.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dtb::service {

struct CommandOutput {
    bool started = false;          // false: the program could not be run (see error)
    bool timed_out = false;        // killed after the timeout
    std::optional<int> exit_code;  // 128 + N when killed by signal N
    std::string standard_output;
    std::string standard_error;
    std::string error;             // why it could not be started

    bool succeeded() const { return started && !timed_out && exit_code == 0; }
    /// One line for error messages: the program's stderr, else its status.
    std::string failure_text() const;
};

/// Runs `argv` (argv[0] looked up in PATH if it has no '/') with the
/// server's environment plus `extra_environment` ("NAME=value").
CommandOutput run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
    const std::vector<std::string>& extra_environment = {});

} // namespace dtb::service
