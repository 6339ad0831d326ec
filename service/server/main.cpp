// dtb-server: the dtb.v1.SimulationService gRPC server (docs/service.md).
//   dtb-server --data-dir DIR [--listen 127.0.0.1:50051] [--tokens FILE] [--input-dir DIR]...
// Jobs, their states and results live under DIR (SQLite job store, one
// directory per job) and survive restarts. SIGTERM/SIGINT: stop accepting
// calls, end watches, leave running jobs running and recorded. SIGHUP:
// re-read the tokens file.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include "service/common/duration_text.hpp"
#include "service/server/input_resolver.hpp"
#include "service/server/job_event_log.hpp"
#include "service/server/job_scheduler.hpp"
#include "service/server/job_store.hpp"
#include "service/server/local_runner.hpp"
#include "service/server/slurm_runner.hpp"
#include "service/server/server_log.hpp"
#include "service/server/simulation_service_handler.hpp"
#include "service/server/reloadable_tokens.hpp"

namespace {

namespace fs = std::filesystem;
using namespace dtb::service;

// The signals the server takes in its signal-waiting thread.
sigset_t server_signals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    return signals;
}

// SIGHUP: re-read the tokens file; a bad file keeps the tokens in force.
void reload_tokens(ReloadableTokens* tokens)
{
    if (tokens == nullptr) {
        log_line("received SIGHUP; no --tokens file, nothing to reload");
        return;
    }
    try {
        const std::size_t users = tokens->reload();
        log_line("received SIGHUP; reloaded " + tokens->path() + ": " + std::to_string(users) + " users");
    } catch (const std::runtime_error& e) {
        log_line(std::string("received SIGHUP; ") + e.what() + "; keeping the previous "
            + std::to_string(tokens->size()) + " users");
    }
}

struct ServerOptions {
    std::string data_directory;
    std::string listen_address = "127.0.0.1:50051";
    std::string tokens_file;
    std::string tls_certificate_file;
    std::string tls_key_file;
    std::string dtb_executable;
    std::string mpirun_executable = "mpirun";
    std::string port_file;
    std::vector<std::string> input_directories;
    int max_ranks = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::int64_t max_queued_jobs = 1000;
    std::int64_t max_active_jobs_per_user = 100;
    int max_request_bytes = 16 << 20;
    int max_threads = 1024;
    std::string default_time_limit = "24h";
    std::string max_time_limit = "7d";
    std::string kill_grace = "10s";
    std::string runner = "local";
    std::string slurm_partition;
    std::string slurm_account;
    std::string slurm_launcher = "auto";
    std::string slurm_bin_directory;
    int slurm_gpus_per_task = 0;
    int slurm_cpus_per_task = 0;
    std::vector<std::string> slurm_directives;
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string read_file(const std::string& path, const std::string& what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("cannot read " + what + " " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

double duration_option(const std::string& text, const std::string& option)
{
    const auto seconds = parse_duration_seconds(text);
    if (!seconds)
        throw UsageError(option + ": '" + text + "' is not a duration (e.g. 90s, 15m, 2h, 1d)");
    return *seconds;
}

bool is_loopback_address(const std::string& address)
{
    return address.rfind("127.", 0) == 0 || address.rfind("localhost:", 0) == 0 || address.rfind("[::1]:", 0) == 0
        || address.rfind("unix:", 0) == 0;
}

// The `dtb` installed next to this server (build/bin), else the one in PATH.
std::string default_dtb_executable()
{
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        const fs::path sibling = self.parent_path() / "dtb";
        if (::access(sibling.c_str(), X_OK) == 0)
            return sibling.string();
    }
    return "dtb";
}

// One server per data directory: a second one would run every job twice.
int lock_data_directory(const std::string& data_directory)
{
    const std::string path = data_directory + "/server.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw UsageError("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw UsageError("another dtb-server is using the data directory " + data_directory);
    return fd;
}

void write_port_file(const std::string& path, int port)
{
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << port << "\n";
        if (!out)
            throw std::runtime_error("cannot write port file " + temporary);
    }
    fs::rename(temporary, path);
}

int serve(const ServerOptions& options)
{
    if (options.max_ranks < 1)
        throw UsageError("--max-ranks must be at least 1");
    const double default_limit_s = duration_option(options.default_time_limit, "--default-time-limit");
    const double max_limit_s = duration_option(options.max_time_limit, "--max-time-limit");
    const double kill_grace_s = duration_option(options.kill_grace, "--kill-grace");
    if (default_limit_s < 1 || default_limit_s > max_limit_s)
        throw UsageError("--default-time-limit must be at least 1 s and at most --max-time-limit");

    if (!options.dtb_executable.empty() && options.dtb_executable.find('/') != std::string::npos
        && ::access(options.dtb_executable.c_str(), X_OK) != 0)
        throw UsageError("--dtb: " + options.dtb_executable + " is not an executable file");

    std::unique_ptr<ReloadableTokens> tokens;
    if (!options.tokens_file.empty()) {
        std::error_code error;
        const auto permissions = fs::status(options.tokens_file, error).permissions();
        if (!error && (permissions & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
            log_line("warning: tokens file " + options.tokens_file
                + " is readable by other users; chmod 600 it");
        try {
            tokens = std::make_unique<ReloadableTokens>(options.tokens_file);
        } catch (const std::runtime_error& e) {
            throw UsageError(e.what());
        }
    } else if (!is_loopback_address(options.listen_address)) {
        throw UsageError("--tokens is required when listening on a non-loopback address ("
            + options.listen_address + ")");
    }

    const std::string data_directory = fs::absolute(options.data_directory).lexically_normal().string();
    const std::string jobs_directory = data_directory + "/jobs";
    fs::create_directories(jobs_directory);
    fs::permissions(data_directory, fs::perms::owner_all, fs::perm_options::replace);
    const int lock_fd = lock_data_directory(data_directory);

    JobStore store(data_directory + "/jobs.sqlite");
    JobEventLog events;
    store.set_change_listener([&events](const dtb::v1::Job& before, const dtb::v1::Job& after) {
        events.record(before, after);
    });

    // Jobs run in their own directories: a relative --dtb must not depend on that.
    std::string dtb_executable = options.dtb_executable.empty() ? default_dtb_executable() : options.dtb_executable;
    if (dtb_executable.find('/') != std::string::npos)
        dtb_executable = fs::absolute(dtb_executable).lexically_normal().string();
    std::unique_ptr<JobRunner> runner;
    std::string runner_text = "local runner";
    if (options.runner == "slurm") {
        // Slurm writes each job's log and outputs into the job directory,
        // named in #SBATCH lines (no quoting; '%' is a pattern there).
        if (jobs_directory.find_first_of(" \t\n%") != std::string::npos)
            throw UsageError("--runner slurm: the data directory must not contain whitespace or '%': " + data_directory);
        SlurmRunnerOptions slurm;
        slurm.commands.bin_directory = options.slurm_bin_directory;
        slurm.batch.dtb_executable = dtb_executable;
        slurm.batch.mpirun_executable = options.mpirun_executable;
        slurm.batch.partition = options.slurm_partition;
        slurm.batch.account = options.slurm_account;
        slurm.batch.gpus_per_task = options.slurm_gpus_per_task;
        slurm.batch.cpus_per_task = options.slurm_cpus_per_task;
        slurm.batch.extra_directives = options.slurm_directives;
        SlurmCommands commands(slurm.commands);
        if (const std::string failure = commands.check_reachable(); !failure.empty())
            throw UsageError("--runner slurm: Slurm does not answer: " + failure);
        bool use_srun = options.slurm_launcher == "srun";
        if (options.slurm_launcher == "auto")
            use_srun = commands.pmix_available();
        slurm.batch.launcher = use_srun ? SlurmBatchOptions::Launcher::Srun : SlurmBatchOptions::Launcher::Mpirun;
        runner_text = std::string("Slurm runner, ") + (use_srun ? "srun --mpi=pmix" : "mpirun inside the allocation")
            + (options.slurm_partition.empty() ? "" : ", partition " + options.slurm_partition)
            + (options.slurm_account.empty() ? "" : ", account " + options.slurm_account);
        runner = std::make_unique<SlurmRunner>(slurm);
    } else {
        LocalRunnerOptions runner_options;
        runner_options.dtb_executable = dtb_executable;
        runner_options.mpirun_executable = options.mpirun_executable;
        runner_options.kill_grace = std::chrono::milliseconds(static_cast<std::int64_t>(kill_grace_s * 1000));
        runner = std::make_unique<LocalRunner>(runner_options);
    }
    std::unique_ptr<InputResolver> inputs;
    try {
        inputs = std::make_unique<InputResolver>(options.input_directories, store, jobs_directory);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
    for (const std::string& directory : inputs->input_directories())
        log_line("input directory " + directory);
    JobScheduler scheduler(store, *runner, *inputs, JobSchedulerOptions{jobs_directory, options.max_ranks});
    scheduler.recover();

    ServiceLimits limits;
    limits.submission.max_queued_jobs = options.max_queued_jobs;
    limits.submission.max_active_jobs_per_user = options.max_active_jobs_per_user;
    limits.spec.max_ranks = options.max_ranks;
    limits.spec.max_time_limit = std::chrono::seconds(static_cast<std::int64_t>(max_limit_s));
    limits.default_time_limit = std::chrono::seconds(static_cast<std::int64_t>(default_limit_s));
    SimulationServiceHandler handler(store, events, scheduler, *inputs, tokens.get(), limits);

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    std::shared_ptr<grpc::ServerCredentials> credentials;
    if (!options.tls_certificate_file.empty() || !options.tls_key_file.empty()) {
        if (options.tls_certificate_file.empty() || options.tls_key_file.empty())
            throw UsageError("--tls-cert and --tls-key go together");
        grpc::SslServerCredentialsOptions ssl;
        ssl.pem_key_cert_pairs.push_back({read_file(options.tls_key_file, "TLS key"),
            read_file(options.tls_certificate_file, "TLS certificate")});
        credentials = grpc::SslServerCredentials(ssl);
    } else {
        credentials = grpc::InsecureServerCredentials();
    }
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options.listen_address, credentials, &port);
    builder.RegisterService(&handler);
    builder.SetMaxReceiveMessageSize(options.max_request_bytes);
    grpc::ResourceQuota quota("dtb-server");
    quota.SetMaxThreads(options.max_threads);
    builder.SetResourceQuota(quota);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        log_line("cannot listen on " + options.listen_address);
        return 1;
    }
    if (!options.port_file.empty())
        write_port_file(options.port_file, port);
    log_line("listening on " + options.listen_address + " (port " + std::to_string(port) + ", "
        + (options.tls_certificate_file.empty() ? "plaintext" : "TLS") + ", "
        + (tokens ? std::to_string(tokens->size()) + " users" : std::string("single user, no tokens"))
        + "), data in " + data_directory + ", runs " + dtb_executable + " (" + runner_text + "), --max-ranks "
        + std::to_string(options.max_ranks));
    scheduler.start();

    // SIGTERM/SIGINT/SIGHUP are blocked in every thread (main() did so
    // before any thread started) and taken here. SIGHUP re-reads the tokens
    // file; the others shut the server down.
    std::thread signal_waiter([&]() {
        const sigset_t signals = server_signals();
        for (;;) {
            int signal = 0;
            sigwait(&signals, &signal);
            if (signal == SIGHUP) {
                reload_tokens(tokens.get());
                continue;
            }
            log_line(std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT")
                + "; shutting down (running jobs keep running and are followed again after a restart)");
            break;
        }
        server->GetHealthCheckService()->Shutdown();
        events.close();
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    });
    server->Wait();
    signal_waiter.join();
    scheduler.stop();
    log_line("stopped");
    ::close(lock_fd);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // Before any thread exists, so every thread inherits the mask and only
    // the signal-waiting thread takes these signals.
    const sigset_t signals = server_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    ServerOptions options;
    CLI::App app{"dtb-server: run dtb simulation jobs for clients over gRPC (docs/service.md)"};
    app.add_option("--data-dir", options.data_directory, "Job database and job directories (created if missing)")
        ->required();
    app.add_option("--listen", options.listen_address, "Address to listen on (HOST:PORT; port 0 picks a free one)")
        ->capture_default_str();
    app.add_option("--tokens", options.tokens_file,
        "Tokens file: one 'USER TOKEN [admin]' per line (without it: one anonymous user, loopback only); SIGHUP re-reads it");
    app.add_option("--tls-cert", options.tls_certificate_file, "PEM certificate chain: serve TLS");
    app.add_option("--tls-key", options.tls_key_file, "PEM private key of --tls-cert");
    app.add_option("--dtb", options.dtb_executable, "The dtb executable (default: next to dtb-server, else PATH)");
    app.add_option("--mpirun", options.mpirun_executable, "mpirun for jobs of more than one rank")
        ->capture_default_str();
    auto* max_ranks_option = app.add_option("--max-ranks", options.max_ranks,
                                    "Ranks of all running jobs together (--runner slurm: ranks of one job)")
                                 ->capture_default_str();
    app.add_option("--max-queued-jobs", options.max_queued_jobs, "Queued jobs of all users together")
        ->capture_default_str();
    app.add_option("--max-active-jobs-per-user", options.max_active_jobs_per_user,
           "Queued and running jobs per user")
        ->capture_default_str();
    app.add_option("--max-request-bytes", options.max_request_bytes, "Largest request message")
        ->capture_default_str()
        ->check(CLI::Range(1024, 1 << 30));
    app.add_option("--max-threads", options.max_threads, "Threads serving calls (watches hold one each)")
        ->capture_default_str()
        ->check(CLI::Range(8, 1 << 16));
    app.add_option("--default-time-limit", options.default_time_limit, "Time limit of jobs that set none")
        ->capture_default_str();
    app.add_option("--max-time-limit", options.max_time_limit, "Largest time limit a job may ask for")
        ->capture_default_str();
    app.add_option("--kill-grace", options.kill_grace, "Time between SIGTERM and SIGKILL when a job is ended")
        ->capture_default_str();
    app.add_option("--port-file", options.port_file, "Write the port listened on to this file once serving");
    app.add_option("--input-dir", options.input_directories,
        "Read-only directory of input files (atlases, connectomes, bundles, BOLD) that jobs may name by relative "
        "path (repeatable; searched in order). Without it, jobs can name only their owner's earlier results "
        "(job:ID/PATH)");
    app.add_option("--runner", options.runner, "Where jobs run: local (mpirun here) or slurm (sbatch)")
        ->capture_default_str()
        ->check(CLI::IsMember({"local", "slurm"}));
    app.add_option("--partition", options.slurm_partition, "Slurm partition for jobs (--runner slurm)");
    app.add_option("--account", options.slurm_account, "Slurm account for jobs (--runner slurm)");
    app.add_option("--slurm-launcher", options.slurm_launcher,
           "How a Slurm job starts its ranks: srun (--mpi=pmix), mpirun, or auto (srun if `srun --mpi=list` has pmix)")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "srun", "mpirun"}));
    app.add_option("--gpus-per-task", options.slurm_gpus_per_task, "GPUs per rank for Slurm jobs (0: none)")
        ->check(CLI::Range(0, 64));
    app.add_option("--cpus-per-task", options.slurm_cpus_per_task, "CPUs per rank for Slurm jobs (0: Slurm's default)")
        ->check(CLI::Range(0, 4096));
    app.add_option("--sbatch-option", options.slurm_directives,
        "An extra #SBATCH line for Slurm jobs, e.g. --sbatch-option=--qos=normal (repeatable)");
    app.add_option("--slurm-bin", options.slurm_bin_directory, "Directory of sbatch, squeue, scontrol, scancel (default: PATH)");
    try {
        app.parse(argc, argv);
        // Under Slurm the cluster decides what fits; --max-ranks only bounds one job.
        if (options.runner == "slurm" && max_ranks_option->count() == 0)
            options.max_ranks = 4096;
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        return serve(options);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "dtb-server: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb-server: error: %s\n", e.what());
        return 1;
    }
}
