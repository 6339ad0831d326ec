#pragma once
// The dtbctl subcommands. Each returns the process exit code: 0 success,
// 1 a failed call or a job that did not succeed, 2 a bad argument or model
// file. Failed calls throw RpcError, which main() prints.
#include <string>
#include <vector>

#include "service/client/client_connection.hpp"

namespace dtb::service {

struct SubmitOptions {
    // simulation: a model file; assimilation: an assimilation config;
    // brain-build: a file with BrainBuildJob's fields (docs/service.md).
    std::string kind = "simulation";
    std::string spec_path;
    unsigned ranks = 1;
    std::string time_limit;            // duration text; empty: the server's default
    std::vector<std::string> labels;   // KEY=VALUE
    double warmup_ms = 0;
    bool wait = false;
    std::string request_id;            // makes a retried submit return the first job
};

struct ListOptions {
    std::vector<std::string> states;
    std::string owner;
    unsigned limit = 50;
    bool all_pages = false;
    bool json = false;
};

int submit_command(ClientConnection& connection, const SubmitOptions& options);
int status_command(ClientConnection& connection, const std::string& job_id, bool json);
int list_command(ClientConnection& connection, const ListOptions& options);
int watch_command(ClientConnection& connection, const std::string& job_id);
int cancel_command(ClientConnection& connection, const std::string& job_id);
int fetch_command(ClientConnection& connection, const std::string& job_id, const std::string& out_directory,
    const std::vector<std::string>& paths);
/// Checks grpc.health.v1; with `wait_s` > 0 retries until serving or the time is up.
int health_command(ClientConnection& connection, double wait_s);

} // namespace dtb::service
