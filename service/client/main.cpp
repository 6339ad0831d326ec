// dtbctl: command-line client of dtb-server (docs/service.md).
//   dtbctl submit [--kind simulation|brain-build|assimilation] FILE [--ranks N] [--wait]
//                                                   prints the job id
//   dtbctl status ID | list | watch ID | cancel ID | fetch ID --out DIR | health
// Server and token: --server HOST:PORT / --token T, or DTB_SERVER / DTB_TOKEN.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "service/client/dtbctl_commands.hpp"
#include "service/common/duration_text.hpp"

int main(int argc, char** argv)
{
    using namespace dtb::service;
    CLI::App app{"dtbctl: submit, watch, cancel and fetch dtb jobs on a dtb-server"};
    app.require_subcommand(1);
    ConnectionOptions connection_options;
    app.add_option("--server", connection_options.server, "HOST:PORT (default $DTB_SERVER, else 127.0.0.1:50051)");
    app.add_option("--token", connection_options.token, "Bearer token (default $DTB_TOKEN)");
    app.add_option("--token-file", connection_options.token_file, "Read the bearer token from this file");
    app.add_option("--tls-ca", connection_options.tls_ca_file, "PEM CA certificates: connect with TLS (default $DTB_TLS_CA)");

    SubmitOptions submit;
    auto* submit_cmd = app.add_subcommand("submit",
        "Submit a job from a file: a model (simulation), a brain-build spec or an assimilation config; prints the "
        "job id. Files the spec names (atlas, model, bold, brain.arrays) are input references: a path relative to "
        "one of the server's --input-dir, or job:ID/PATH for a result of your earlier job");
    submit_cmd->add_option("file", submit.spec_path,
        "Model file (simulation), brain-build spec (keys of dtb.v1.BrainBuildJob: atlas, neurons, ...) or "
        "assimilation config (YAML or JSON)")->required();
    submit_cmd->add_option("--kind,-k", submit.kind, "What FILE holds: simulation, brain-build or assimilation")
        ->check(CLI::IsMember({"simulation", "brain-build", "assimilation"}))
        ->capture_default_str();
    submit_cmd->add_option("--ranks,-n", submit.ranks, "MPI ranks")->check(CLI::Range(1u, 1u << 20));
    submit_cmd->add_option("--time-limit", submit.time_limit, "Wall-clock limit (90s, 15m, 2h; default: the server's)");
    submit_cmd->add_option("--label", submit.labels, "KEY=VALUE label (repeatable)");
    submit_cmd->add_option("--warmup-ms", submit.warmup_ms, "Simulate this long first, unrecorded")
        ->check(CLI::NonNegativeNumber);
    submit_cmd->add_flag("--wait", submit.wait, "Watch the job until it ends; exit 0 only if it SUCCEEDED");
    submit_cmd->add_option("--request-id", submit.request_id,
        "Idempotency key (e.g. a UUID): submitting again with it returns the first job instead of a new one");

    std::string job_id;
    bool json = false;
    auto* status_cmd = app.add_subcommand("status", "Show a job");
    status_cmd->add_option("id", job_id, "Job id")->required();
    status_cmd->add_flag("--json", json, "The full job record as JSON");

    ListOptions list;
    auto* list_cmd = app.add_subcommand("list", "List your jobs (an admin: everyone's), newest first");
    list_cmd->add_option("--state", list.states, "Only jobs in this state (repeatable)");
    list_cmd->add_option("--owner", list.owner, "Only this user's jobs (admins)");
    list_cmd->add_option("--limit", list.limit, "Jobs per page")->check(CLI::Range(1u, 500u));
    list_cmd->add_flag("--all", list.all_pages, "Every page, not just the first");
    list_cmd->add_flag("--json", list.json, "JSON instead of a table");

    auto* watch_cmd = app.add_subcommand("watch", "Follow a job's progress until it ends; exit 0 only if it SUCCEEDED");
    watch_cmd->add_option("id", job_id, "Job id")->required();

    auto* cancel_cmd = app.add_subcommand("cancel", "Cancel a queued or running job");
    cancel_cmd->add_option("id", job_id, "Job id")->required();

    std::string out_directory;
    std::vector<std::string> fetch_paths;
    auto* fetch_cmd = app.add_subcommand("fetch", "Download a finished job's result files");
    fetch_cmd->add_option("id", job_id, "Job id")->required();
    fetch_cmd->add_option("--out,-o", out_directory, "Directory to write into (created if missing)")->required();
    fetch_cmd->add_option("--file", fetch_paths, "Only this result file (repeatable), e.g. summary.json");

    std::string health_wait = "0";
    auto* health_cmd = app.add_subcommand("health", "Check that the server is serving (grpc.health.v1)");
    health_cmd->add_option("--wait", health_wait, "Keep trying this long (e.g. 10s)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        ClientConnection connection(connection_options);
        if (*submit_cmd)
            return submit_command(connection, submit);
        if (*status_cmd)
            return status_command(connection, job_id, json);
        if (*list_cmd)
            return list_command(connection, list);
        if (*watch_cmd)
            return watch_command(connection, job_id);
        if (*cancel_cmd)
            return cancel_command(connection, job_id);
        if (*fetch_cmd)
            return fetch_command(connection, job_id, out_directory, fetch_paths);
        if (*health_cmd) {
            const auto wait_s = parse_duration_seconds(health_wait);
            if (!wait_s) {
                std::fprintf(stderr, "dtbctl: error: --wait: '%s' is not a duration\n", health_wait.c_str());
                return 2;
            }
            return health_command(connection, *wait_s);
        }
    } catch (const RpcError& e) {
        std::fprintf(stderr, "dtbctl: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtbctl: error: %s\n", e.what());
        return 1;
    }
    return 2;
}
