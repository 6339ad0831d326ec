#include "report_command.hpp"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

// The lead's CMake defines DTB_SOURCE_DIR for the dtb target; without it
// the package must be named by $DTB_REPORT_PATH.
#ifndef DTB_SOURCE_DIR
#define DTB_SOURCE_DIR ""
#endif

namespace dtb::app {

namespace {

// Debian's interpreter: the one python3-matplotlib and python3-h5py install into.
constexpr const char* PYTHON = "/usr/bin/python3";

// The running report's pid, for the SIGTERM handler (kill() is
// async-signal-safe); a SIGTERM before the child exists is kept pending.
volatile pid_t report_child = 0;
volatile std::sig_atomic_t pending_terminate = 0;
extern "C" void on_terminate(int)
{
    if (report_child > 0)
        ::kill(report_child, SIGTERM);
    else
        pending_terminate = 1;
}

bool is_file(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// Where the dtb_report package lives: $DTB_REPORT_PATH, else <source>/report.
std::string report_package_dir()
{
    const char* from_env = std::getenv("DTB_REPORT_PATH");
    if (from_env != nullptr && *from_env != '\0')
        return from_env;
    const std::string source_dir = DTB_SOURCE_DIR;
    return source_dir.empty() ? std::string() : source_dir + "/report";
}

// This process's environment with PYTHONPATH led by the package folder, and
// no bytecode written into the source tree.
std::vector<std::string> child_environment(const std::string& package_dir)
{
    std::vector<std::string> env;
    std::string python_path = "PYTHONPATH=" + package_dir;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        if (text.rfind("PYTHONPATH=", 0) == 0) {
            if (text.size() > std::strlen("PYTHONPATH="))
                python_path += ":" + text.substr(std::strlen("PYTHONPATH="));
        } else if (text.rfind("PYTHONDONTWRITEBYTECODE=", 0) != 0) {
            env.push_back(text);
        }
    }
    env.push_back(python_path);
    env.push_back("PYTHONDONTWRITEBYTECODE=1");
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings)
{
    std::vector<char*> pointers;
    for (auto& s : strings)
        pointers.push_back(s.data());
    pointers.push_back(nullptr);
    return pointers;
}

// While the report runs: SIGTERM sent to dtb is passed on to the report so
// it can remove its staging directory; SIGINT from a terminal reaches the
// whole process group, so the report gets it directly and dtb only waits.
// Installed before the child starts, restored when it has ended.
class ParentSignalHandling {
public:
    ParentSignalHandling()
    {
        report_child = 0;
        pending_terminate = 0;
        struct sigaction terminate {}, interrupt {};
        terminate.sa_handler = on_terminate;
        sigemptyset(&terminate.sa_mask);
        interrupt.sa_handler = SIG_IGN;
        sigemptyset(&interrupt.sa_mask);
        sigaction(SIGTERM, &terminate, &old_terminate_);
        sigaction(SIGINT, &interrupt, &old_interrupt_);
    }
    ~ParentSignalHandling()
    {
        report_child = 0;
        sigaction(SIGTERM, &old_terminate_, nullptr);
        sigaction(SIGINT, &old_interrupt_, nullptr);
    }
    ParentSignalHandling(const ParentSignalHandling&) = delete;
    ParentSignalHandling& operator=(const ParentSignalHandling&) = delete;

private:
    struct sigaction old_terminate_ {}, old_interrupt_ {};
};

// Waits for the child and turns its end into dtb's exit code.
int wait_for(pid_t child)
{
    report_child = child;
    if (pending_terminate)
        ::kill(child, SIGTERM);
    int status = 0;
    pid_t result;
    while ((result = ::waitpid(child, &status, 0)) < 0 && errno == EINTR) {
    }
    if (result < 0) {
        std::fprintf(stderr, "dtb: error: waiting for the report process failed (%s)\n", std::strerror(errno));
        return 1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        std::fprintf(stderr, "dtb: error: the report process was killed by signal %d (%s)\n", WTERMSIG(status),
            strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return 1;
}

} // namespace

int report_command(const ReportOptions& options)
{
    const std::string package_dir = report_package_dir();
    if (package_dir.empty()) {
        std::fprintf(stderr,
            "dtb: error: this dtb was built without the location of its report package; "
            "set DTB_REPORT_PATH to the folder that holds dtb_report (the repository's report/)\n");
        return 1;
    }
    if (!is_file(package_dir + "/dtb_report/__main__.py")) {
        std::fprintf(stderr,
            "dtb: error: the report package is not at %s/dtb_report; set DTB_REPORT_PATH to the folder "
            "that holds dtb_report (the repository's report/)\n",
            package_dir.c_str());
        return 1;
    }
    if (::access(PYTHON, X_OK) != 0) {
        std::fprintf(stderr,
            "dtb: error: %s not found (%s); `dtb report` needs Debian's python3, python3-h5py and "
            "python3-matplotlib\n",
            PYTHON, std::strerror(errno));
        return 1;
    }

    std::vector<std::string> args = {PYTHON, "-m", "dtb_report"};
    if (!options.out_dir.empty()) {
        args.push_back("--out");
        args.push_back(options.out_dir);
    }
    if (!options.brain.empty()) {
        args.push_back("--brain");
        args.push_back(options.brain);
    }
    args.push_back("--"); // a run directory starting with '-' is still a directory
    args.push_back(options.run_dir);
    std::vector<std::string> env = child_environment(package_dir);
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(env);

    // The child starts with default SIGINT/SIGTERM handling whatever dtb set.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

    ParentSignalHandling signal_handling;
    pid_t child = 0;
    const int error = ::posix_spawn(&child, PYTHON, nullptr, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        std::fprintf(stderr, "dtb: error: cannot start %s (%s)\n", PYTHON, std::strerror(error));
        return 1;
    }
    return wait_for(child);
}

} // namespace dtb::app
