#include "server_process.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "process_table.hpp"

extern char** environ;

namespace dtb::service::testing {

namespace fs = std::filesystem;

TemporaryDirectory::TemporaryDirectory()
{
    std::string pattern = (fs::temp_directory_path() / "dtb-service-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory()
{
    // Whatever a test left running (job processes) goes first.
    kill_processes_with_marker(path_.string());
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    if ((test != nullptr && test->result()->Failed()) || std::getenv("DTB_KEEP_TEST_FILES") != nullptr) {
        std::cerr << "test files kept in " << path_ << "\n";
        return;
    }
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(
    const fs::path& root, std::vector<std::string> arguments, std::vector<std::string> extra_token_lines)
    : root_(root)
    , arguments_(std::move(arguments))
{
    {
        std::ofstream tokens(root_ / "tokens");
        tokens << "# user token [admin]\n"
               << "alice " << TestTokens::alice << "\n"
               << "bob " << TestTokens::bob << "\n"
               << "admin " << TestTokens::admin << " admin\n";
        for (const auto& line : extra_token_lines)
            tokens << line << "\n";
    }
    fs::permissions(root_ / "tokens", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    start();
}

ServerProcess::~ServerProcess()
{
    if (pid_ > 0)
        terminate();
}

void ServerProcess::start()
{
    const fs::path port_file = root_ / "port";
    fs::remove(port_file);
    std::vector<std::string> argv = {DTB_SERVER_EXECUTABLE, "--data-dir", data_directory().string(), "--listen",
        "127.0.0.1:0", "--port-file", port_file.string(), "--tokens", (root_ / "tokens").string()};
    if (std::find(arguments_.begin(), arguments_.end(), "--dtb") == arguments_.end())
        argv.insert(argv.end(), {"--dtb", DTB_EXECUTABLE});
    argv.insert(argv.end(), arguments_.begin(), arguments_.end());
    std::vector<char*> pointers;
    for (auto& argument : argv)
        pointers.push_back(argument.data());
    pointers.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (root_ / "server.log").string();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int error = ::posix_spawn(&pid_, pointers[0], &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
        throw std::runtime_error(std::string("cannot start ") + DTB_SERVER_EXECUTABLE);

    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(port_file)) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("dtb-server exited at start:\n" + log_text());
        }
        if (std::chrono::steady_clock::now() > give_up)
            throw std::runtime_error("dtb-server did not start within 30 s:\n" + log_text());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::ifstream in(port_file);
    int port = 0;
    in >> port;
    address_ = "127.0.0.1:" + std::to_string(port);
}

std::string ServerProcess::log_text() const
{
    std::ifstream in(root_ / "server.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int ServerProcess::wait_for_exit(int seconds)
{
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        if (std::chrono::steady_clock::now() > give_up)
            return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

int ServerProcess::terminate()
{
    if (pid_ <= 0)
        return -1;
    ::kill(pid_, SIGTERM);
    const int status = wait_for_exit(20);
    if (status == -1) {
        kill_hard();
        return -1;
    }
    return status;
}

void ServerProcess::kill_hard()
{
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

} // namespace dtb::service::testing
