#pragma once
// Finds live processes by a string in their command line (a job directory
// appears in the command line of every process of that job).
#include <string>
#include <sys/types.h>
#include <vector>

namespace dtb::service::testing {

/// Pids of live (non-zombie) processes whose command line contains `marker`.
std::vector<pid_t> processes_with_marker(const std::string& marker);

/// Pids of live (non-zombie) processes in session `session_id`.
std::vector<pid_t> processes_in_session(pid_t session_id);

/// SIGKILLs those processes and waits (up to 10 s) until none is left.
void kill_processes_with_marker(const std::string& marker);

/// Resident set size of `pid` in bytes (VmRSS), 0 if unknown.
long resident_bytes(pid_t pid);

} // namespace dtb::service::testing
