#include "service/server/job_process.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace dtb::service {

namespace {

struct ProcessStat {
    char state = '?';
    std::int64_t session = 0;
    std::int64_t start_ticks = 0;
};

// /proc/PID/stat: "pid (comm) state ppid pgrp ... starttime ..."; comm may
// contain spaces and parentheses, so fields are counted after the last ')'.
std::optional<ProcessStat> read_process_stat(const std::string& pid_text)
{
    std::ifstream in("/proc/" + pid_text + "/stat");
    std::string text;
    if (!in || !std::getline(in, text))
        return std::nullopt;
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::vector<std::string> values;
    for (std::string value; fields >> value;)
        values.push_back(value);
    // After ')': index 0 is field 3 (state), field 6 is the session, field 22 starttime.
    if (values.size() < 20)
        return std::nullopt;
    ProcessStat stat;
    stat.state = values[0].empty() ? '?' : values[0][0];
    try {
        stat.session = std::stoll(values[3]);
        stat.start_ticks = std::stoll(values[19]);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return stat;
}

bool is_dead_state(char state) { return state == 'Z' || state == 'X' || state == 'x'; }

std::string read_command_line(std::int64_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string command_line = text.str();
    for (char& c : command_line)
        if (c == '\0')
            c = ' ';
    return command_line;
}

// posix_spawn's C interface wants mutable char* arrays.
std::vector<char*> c_strings(std::vector<std::string>& strings)
{
    std::vector<char*> pointers;
    for (auto& s : strings)
        pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

[[noreturn]] void fail_launch(const LaunchCommand& command, const std::string& step, int error)
{
    throw std::runtime_error("cannot start " + command.argv.front() + ": " + step + ": " + std::strerror(error));
}

} // namespace

JobProcess JobProcess::launch(const LaunchCommand& command)
{
    if (command.argv.empty())
        throw std::runtime_error("cannot start a job: empty command");
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    struct Cleanup {
        posix_spawn_file_actions_t* actions;
        posix_spawnattr_t* attributes;
        ~Cleanup()
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attributes);
        }
    } cleanup{&actions, &attributes};

    int error = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (error == 0)
        error = posix_spawn_file_actions_addopen(
            &actions, STDOUT_FILENO, command.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (error == 0)
        error = posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (error == 0)
        error = posix_spawn_file_actions_addchdir_np(&actions, command.working_directory.c_str());
    // The server's sockets and database must not leak into jobs.
    if (error == 0)
        error = posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    if (error != 0)
        fail_launch(command, "preparing file actions", error);

    // Own session (sid = pgid = pid): cancel signals the whole session, and a
    // terminal's Ctrl-C to the server does not reach it. The server blocks
    // SIGTERM/SIGINT in its threads; the job gets an empty mask and default
    // dispositions.
    sigset_t empty_mask, all_signals;
    sigemptyset(&empty_mask);
    sigfillset(&all_signals);
    error = posix_spawnattr_setflags(&attributes,
        static_cast<short>(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    if (error == 0)
        error = posix_spawnattr_setsigmask(&attributes, &empty_mask);
    if (error == 0)
        error = posix_spawnattr_setsigdefault(&attributes, &all_signals);
    if (error != 0)
        fail_launch(command, "preparing attributes", error);

    std::vector<std::string> argv = command.argv;
    std::vector<std::string> environment = command.environment;
    auto argv_pointers = c_strings(argv);
    auto environment_pointers = c_strings(environment);
    pid_t pid = 0;
    error = posix_spawnp(&pid, argv_pointers[0], &actions, &attributes, argv_pointers.data(),
        environment_pointers.data());
    if (error != 0)
        fail_launch(command, "posix_spawn", error);

    // The child exists until it is waited for, so its stat is readable.
    const auto ticks = process_start_ticks(pid);
    return JobProcess(ProcessIdentity{pid, ticks.value_or(0)}, true);
}

std::optional<JobProcess> JobProcess::adopt(const ProcessIdentity& identity, const std::string& command_line_marker)
{
    const auto stat = read_process_stat(std::to_string(identity.pid));
    if (!stat || is_dead_state(stat->state) || stat->start_ticks != identity.start_ticks)
        return std::nullopt;
    if (read_command_line(identity.pid).find(command_line_marker) == std::string::npos)
        return std::nullopt;
    return JobProcess(identity, false);
}

std::optional<ProcessExit> JobProcess::poll_leader_exit()
{
    if (exit_)
        return exit_;
    if (child_) {
        int status = 0;
        const pid_t result = ::waitpid(static_cast<pid_t>(identity_.pid), &status, WNOHANG);
        if (result == 0)
            return std::nullopt;
        ProcessExit exit;
        if (result < 0) {
            // ECHILD: someone else reaped it; its status is lost.
            exit.observed = false;
        } else if (WIFEXITED(status)) {
            exit.observed = true;
            exit.exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            exit.observed = true;
            exit.signal = WTERMSIG(status);
            exit.exit_code = 128 + WTERMSIG(status);
        }
        exit_ = exit;
        return exit_;
    }
    const auto stat = read_process_stat(std::to_string(identity_.pid));
    if (stat && !is_dead_state(stat->state) && stat->start_ticks == identity_.start_ticks)
        return std::nullopt;
    exit_ = ProcessExit{};
    return exit_;
}

bool JobProcess::any_alive() const { return session_alive(identity_.pid); }

void JobProcess::signal_all(int signal) const { signal_session(identity_.pid, signal); }

std::optional<std::int64_t> process_start_ticks(std::int64_t pid)
{
    const auto stat = read_process_stat(std::to_string(pid));
    if (!stat)
        return std::nullopt;
    return stat->start_ticks;
}

namespace {

// Pids of the live (non-zombie) processes of a session. Members may be
// zombies nobody has reaped yet (a container's init may never reap); those
// are gone for our purpose.
std::vector<pid_t> session_members(std::int64_t session_id)
{
    std::vector<pid_t> members;
    if (session_id <= 0)
        return members;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr)
        throw std::runtime_error(std::string("cannot read /proc: ") + std::strerror(errno));
    while (const dirent* entry = ::readdir(proc)) {
        const char* name = entry->d_name;
        if (name[0] < '0' || name[0] > '9')
            continue;
        const auto stat = read_process_stat(name);
        if (stat && stat->session == session_id && !is_dead_state(stat->state))
            members.push_back(static_cast<pid_t>(std::atoll(name)));
    }
    ::closedir(proc);
    return members;
}

} // namespace

bool session_alive(std::int64_t session_id) { return !session_members(session_id).empty(); }

void signal_session(std::int64_t session_id, int signal)
{
    // A session id (like a process group id) is not reused as a pid while a
    // member of the session exists, so these pids are the job's processes.
    for (const pid_t pid : session_members(session_id))
        if (::kill(pid, signal) != 0 && errno != ESRCH)
            throw std::runtime_error("cannot send signal " + std::to_string(signal) + " to process "
                + std::to_string(pid) + " of job session " + std::to_string(session_id) + ": "
                + std::strerror(errno));
}

} // namespace dtb::service
