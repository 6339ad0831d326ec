#pragma once
// A real dtb-server for a test: started on a free loopback port (it writes
// the port to a file) with a data directory and tokens file under the test's
// own temporary directory; stopped with SIGTERM or killed with SIGKILL.
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace dtb::service::testing {

/// Tokens in the tokens file the servers of the tests use.
struct TestTokens {
    static constexpr const char* alice = "alice-token-0123456789";
    static constexpr const char* bob = "bob-token-0123456789ab";
    static constexpr const char* admin = "admin-token-0123456789";
};

/// A fresh temporary directory, removed on destruction unless the test
/// failed or DTB_KEEP_TEST_FILES is set (then its path is printed, to look
/// at the server log and the job directories).
class TemporaryDirectory {
public:
    TemporaryDirectory();
    ~TemporaryDirectory();
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class ServerProcess {
public:
    /// Starts dtb-server with --data-dir `root/data`, --tokens `root/tokens`
    /// (alice, bob, admin; more users from `extra_token_lines`) and
    /// `arguments`; waits until it serves. Its log goes to `root/server.log`.
    ServerProcess(const std::filesystem::path& root, std::vector<std::string> arguments = {},
        std::vector<std::string> extra_token_lines = {});
    /// SIGTERM (SIGKILL if it does not exit in 20 s).
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const std::string& address() const { return address_; }
    pid_t pid() const { return pid_; }
    std::filesystem::path data_directory() const { return root_ / "data"; }
    std::filesystem::path job_directory(const std::string& job_id) const { return data_directory() / "jobs" / job_id; }
    std::string log_text() const;

    /// SIGTERM and wait; returns the exit status (as from waitpid) or -1.
    int terminate();
    /// SIGKILL and wait.
    void kill_hard();
    bool running() const { return pid_ > 0; }

private:
    void start();
    int wait_for_exit(int seconds);

    std::filesystem::path root_;
    std::vector<std::string> arguments_;
    std::string address_;
    pid_t pid_ = -1;
};

} // namespace dtb::service::testing
