#pragma once
// One job's processes: `dtb` (or `mpirun ... dtb`) started as the leader of
// a new session (and so of a new process group), with stdin from /dev/null
// and stdout and stderr appended to the job's log file. A session, not just
// a process group, because mpirun puts each rank into a process group of its
// own; every process of the job stays in the session. Either launched by this server (a child:
// its exit status is known) or adopted after a server restart (not a child:
// only its disappearance is seen).
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "service/server/job_store.hpp"

namespace dtb::service {

struct LaunchCommand {
    std::vector<std::string> argv;        // argv[0] is looked up in PATH if it has no '/'
    std::vector<std::string> environment; // "NAME=value"
    std::string working_directory;
    std::string log_path;
};

/// How the job's leader process ended. exit_code follows the shell convention
/// (128 + signal number when killed by a signal).
struct ProcessExit {
    bool observed = false;        // false: an adopted process vanished
    std::optional<int> exit_code;
    std::optional<int> signal;
};

class JobProcess {
public:
    /// Starts the command; throws std::runtime_error naming the program and
    /// the system error when it cannot be started.
    static JobProcess launch(const LaunchCommand& command);

    /// The process `identity` if it still runs and its command line contains
    /// `command_line_marker` (guards against a reused pid); else nullopt.
    static std::optional<JobProcess> adopt(const ProcessIdentity& identity, const std::string& command_line_marker);

    const ProcessIdentity& identity() const { return identity_; }
    bool is_child() const { return child_; }

    /// The leader's end, once it has ended (non-blocking).
    std::optional<ProcessExit> poll_leader_exit();

    /// Whether any process of the job's session is alive (zombies do not count).
    bool any_alive() const;

    /// Sends `signal` to every process of the job's session.
    void signal_all(int signal) const;

private:
    JobProcess(ProcessIdentity identity, bool child)
        : identity_(identity)
        , child_(child)
    {
    }
    ProcessIdentity identity_;
    bool child_ = false;
    std::optional<ProcessExit> exit_;
};

/// Start time of `pid` in clock ticks after boot (/proc/PID/stat field 22),
/// nullopt if there is no such process.
std::optional<std::int64_t> process_start_ticks(std::int64_t pid);

/// Whether a non-zombie process of session `session_id` exists.
bool session_alive(std::int64_t session_id);

/// Sends `signal` to every process of session `session_id`.
void signal_session(std::int64_t session_id, int signal);

} // namespace dtb::service
