#include "service/server/command_output.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dtb::service {

namespace {

struct Pipe {
    int read_end = -1;
    int write_end = -1;
    ~Pipe()
    {
        if (read_end >= 0)
            ::close(read_end);
        if (write_end >= 0)
            ::close(write_end);
    }
};

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
        text.pop_back();
    return text;
}

} // namespace

std::string CommandOutput::failure_text() const
{
    if (!started)
        return error;
    if (timed_out)
        return "timed out";
    const std::string output = trimmed(standard_error.empty() ? standard_output : standard_error);
    const std::string status = "exit code " + std::to_string(exit_code.value_or(-1));
    return output.empty() ? status : output + " (" + status + ")";
}

CommandOutput run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
    const std::vector<std::string>& extra_environment)
{
    CommandOutput result;
    if (argv.empty()) {
        result.error = "empty command";
        return result;
    }
    Pipe out, err;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    out.read_end = fds[0];
    out.write_end = fds[1];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    err.read_end = fds[0];
    err.write_end = fds[1];

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write_end, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write_end, STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    sigset_t empty_mask, all_signals;
    sigemptyset(&empty_mask);
    sigfillset(&all_signals);
    posix_spawnattr_setflags(&attributes, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    posix_spawnattr_setsigmask(&attributes, &empty_mask);
    posix_spawnattr_setsigdefault(&attributes, &all_signals);

    std::vector<std::string> environment;
    for (char** variable = environ; *variable != nullptr; ++variable)
        environment.emplace_back(*variable);
    environment.insert(environment.end(), extra_environment.begin(), extra_environment.end());
    std::vector<char*> argv_pointers, environment_pointers;
    for (const auto& argument : argv)
        argv_pointers.push_back(const_cast<char*>(argument.c_str()));
    argv_pointers.push_back(nullptr);
    for (const auto& variable : environment)
        environment_pointers.push_back(const_cast<char*>(variable.c_str()));
    environment_pointers.push_back(nullptr);

    pid_t pid = 0;
    const int error = posix_spawnp(
        &pid, argv_pointers[0], &actions, &attributes, argv_pointers.data(), environment_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        result.error = "cannot run " + argv.front() + ": " + std::strerror(error);
        return result;
    }
    result.started = true;
    ::close(out.write_end);
    out.write_end = -1;
    ::close(err.write_end);
    err.write_end = -1;

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd polled[2] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
    std::string* sinks[2] = {&result.standard_output, &result.standard_error};
    int open_streams = 2;
    while (open_streams > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        const int ready = ::poll(polled, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (polled[i].fd < 0 || polled[i].revents == 0)
                continue;
            char buffer[4096];
            const ssize_t count = ::read(polled[i].fd, buffer, sizeof buffer);
            if (count > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(count));
            } else if (count == 0 || errno != EINTR) {
                polled[i].fd = -1;
                --open_streams;
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.exit_code = 128 + WTERMSIG(status);
    return result;
}

} // namespace dtb::service
