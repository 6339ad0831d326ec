#include "process_table.hpp"

#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace dtb::service::testing {

namespace {

std::string read_all(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Fields of /proc/PID/stat after the command name: state ppid pgrp session ...
std::vector<std::string> stat_fields(const std::string& pid)
{
    const std::string stat = read_all("/proc/" + pid + "/stat");
    const auto close = stat.rfind(')');
    std::vector<std::string> fields;
    if (close == std::string::npos)
        return fields;
    std::istringstream in(stat.substr(close + 1));
    for (std::string field; in >> field;)
        fields.push_back(field);
    return fields;
}

char process_state(const std::string& pid)
{
    const auto fields = stat_fields(pid);
    return fields.empty() || fields[0].empty() ? 'X' : fields[0][0];
}

} // namespace

std::vector<pid_t> processes_with_marker(const std::string& marker)
{
    std::vector<pid_t> found;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr)
        return found;
    const pid_t self = ::getpid();
    while (const dirent* entry = ::readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] < '0' || name[0] > '9')
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        if (pid == self)
            continue;
        std::string command_line = read_all("/proc/" + name + "/cmdline");
        for (char& c : command_line)
            if (c == '\0')
                c = ' ';
        if (command_line.find(marker) == std::string::npos)
            continue;
        const char state = process_state(name);
        if (state != 'Z' && state != 'X')
            found.push_back(pid);
    }
    ::closedir(proc);
    return found;
}

std::vector<pid_t> processes_in_session(pid_t session_id)
{
    std::vector<pid_t> found;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr)
        return found;
    while (const dirent* entry = ::readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || name[0] < '0' || name[0] > '9')
            continue;
        const auto fields = stat_fields(name);
        if (fields.size() > 3 && fields[3] == std::to_string(session_id) && fields[0] != "Z" && fields[0] != "X")
            found.push_back(static_cast<pid_t>(std::stol(name)));
    }
    ::closedir(proc);
    return found;
}

void kill_processes_with_marker(const std::string& marker)
{
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        const auto pids = processes_with_marker(marker);
        if (pids.empty() || std::chrono::steady_clock::now() > give_up)
            return;
        for (const pid_t pid : pids)
            ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

long resident_bytes(pid_t pid)
{
    std::istringstream status(read_all("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            long kib = 0;
            fields >> kib;
            return kib * 1024;
        }
    }
    return 0;
}

} // namespace dtb::service::testing
