#include "run_command.hpp"
#include "comm/packed_double.hpp"
#include "sim/wall_clock.hpp"

#include <Kokkos_Core.hpp>
#include <mpi.h>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "comm/partition_plan.hpp"
#include "comm/spike_exchange.hpp"
#include "comm/spike_gather.hpp"
#include "progress_display.hpp"
#include "run_summary.hpp"
#include "sim/model_loader.hpp"
#include "sim/model_validation.hpp"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"
#include "sim/population_rate_writer.hpp"
#include "sim/simulation.hpp"
#include "sim/sonata_spike_writer.hpp"
#include "sim/spike_recorder.hpp"
#include "sim/staged_file.hpp"

namespace dtb::app {

namespace {

using comm::bits_of;
using comm::double_of;
using sim::seconds_since;

std::atomic<int> interrupt_signal{0};
extern "C" void on_interrupt(int signal) { interrupt_signal = signal; }

struct Interrupted {
    int signal;
};

// The model with command-line overrides applied, defaulted and validated.
sim::v1::Model load_model(const RunOptions& options)
{
    sim::v1::Model model = sim::load_model_file(options.model_path);
    if (options.scale) {
        model.set_scale(*options.scale);
        sim::apply_model_defaults(model, options.model_path);
    }
    auto* simulation = model.mutable_simulation();
    if (options.t_stop_ms)
        simulation->set_t_stop_ms(*options.t_stop_ms);
    if (options.seed)
        simulation->set_seed(*options.seed);
    if (options.no_spikes)
        simulation->mutable_record()->set_spikes(false);
    sim::validate_model(model, options.model_path);
    return model;
}

std::uint64_t to_steps(double ms, double dt_ms) { return static_cast<std::uint64_t>(std::llround(ms / dt_ms)); }

// Advances in chunks (a multiple of the communication interval) so progress
// shows, recorded spikes reach rank 0, and an interrupt on any rank stops all
// of them at the same step.
void advance_with_progress(sim::Simulation& simulation, std::uint64_t steps, double dt_ms, comm::Communicator& comm,
    comm::SpikeGather* gather, const char* phase, const RunOptions& options)
{
    std::unique_ptr<ProgressDisplay> progress;
    if (comm.rank() == 0)
        progress = std::make_unique<ProgressDisplay>(stderr, static_cast<double>(steps) * dt_ms, phase);
    const std::uint64_t interval = simulation.interval_steps();
    const std::uint64_t chunk = std::max<std::uint64_t>(interval, (steps / 200 + interval - 1) / interval * interval);
    for (std::uint64_t done = 0; done < steps;) {
        const std::uint64_t n = std::min(chunk, steps - done);
        if (options.fault_rank == comm.rank() && gather != nullptr
            && static_cast<double>(simulation.current_step()) * dt_ms >= options.fault_at_ms)
            throw std::runtime_error("injected fault (--inject-fault) at t = "
                + std::to_string(static_cast<double>(simulation.current_step()) * dt_ms) + " ms");
        simulation.advance(n, gather);
        done += n;
        if (gather)
            gather->flush();
        const int signal = static_cast<int>(comm.max(static_cast<double>(interrupt_signal.load())));
        if (signal != 0)
            throw Interrupted{signal};
        if (progress)
            progress->update(static_cast<double>(done) * dt_ms);
    }
    if (progress)
        progress->finish();
}

void write_text_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

// Per-rank figures for the summary, gathered on rank 0.
std::vector<RankSummary> gather_rank_summaries(comm::Communicator& comm, const RankSummary& mine)
{
    const std::vector<std::uint64_t> packed = {mine.neurons, mine.synapses, bits_of(mine.build_s),
        bits_of(mine.update_s), bits_of(mine.route_s), bits_of(mine.mpi_s), bits_of(mine.deliver_s),
        bits_of(mine.record_s), mine.bytes_sent, mine.messages_sent, mine.peak_rss_bytes, mine.intervals, mine.input_buffer_bytes,
        bits_of(mine.kernel_launches_per_step), bits_of(mine.host_syncs_per_step)};
    const auto all = comm.gather(packed, 0);
    std::vector<RankSummary> out;
    for (std::size_t i = 0; i + packed.size() <= all.size(); i += packed.size()) {
        RankSummary r;
        r.rank = static_cast<int>(i / packed.size());
        r.neurons = all[i];
        r.synapses = all[i + 1];
        r.build_s = double_of(all[i + 2]);
        r.update_s = double_of(all[i + 3]);
        r.route_s = double_of(all[i + 4]);
        r.mpi_s = double_of(all[i + 5]);
        r.deliver_s = double_of(all[i + 6]);
        r.record_s = double_of(all[i + 7]);
        r.bytes_sent = all[i + 8];
        r.messages_sent = all[i + 9];
        r.peak_rss_bytes = all[i + 10];
        r.intervals = all[i + 11];
        r.input_buffer_bytes = all[i + 12];
        r.kernel_launches_per_step = double_of(all[i + 13]);
        r.host_syncs_per_step = double_of(all[i + 14]);
        out.push_back(r);
    }
    return out;
}

int simulate(const RunOptions& options, comm::Communicator& comm, const sim::v1::Model& model)
{
    namespace fs = std::filesystem;
    const bool root = comm.rank() == 0;
    const fs::path out_dir(options.out_dir);
    const auto& sim_spec = model.simulation();
    const double dt = sim_spec.dt_ms();
    const std::uint64_t warmup_steps = to_steps(options.warmup_ms, dt);
    const std::uint64_t steps = to_steps(sim_spec.t_stop_ms(), dt);

    const auto build_start = std::chrono::steady_clock::now();
    const comm::PartitionPlan plan = comm::plan_partition(model, comm.size(), 5.0, options.model_path);
    const auto ranges = sim::population_ranges(model);
    if (root)
        std::fprintf(stderr, "dtb: building %s on %d rank%s\n", options.model_path.c_str(), comm.size(),
            comm.size() > 1 ? "s" : "");
    sim::Network network = sim::build_network(model, options.model_path,
        comm.size() > 1 ? plan.slices_for(comm.rank()) : sim::NeuronSlices{});
    std::unique_ptr<comm::SpikeExchange> exchange;
    if (comm.size() > 1)
        exchange = std::make_unique<comm::SpikeExchange>(MPI_COMM_WORLD, plan,
            network.synapses.source_gids_with_synapses(),
            options.exchange == "two-level" ? comm::ExchangeMode::two_level : comm::ExchangeMode::direct,
            options.ranks_per_node);
    Kokkos::fence();
    const double local_build_s = seconds_since(build_start);
    // Created only now: a model the engine rejects leaves nothing behind.
    if (root)
        fs::create_directories(out_dir);
    const double build_s = comm.max(local_build_s);
    const std::uint64_t synapses = comm.sum(network.synapses.num_synapses());
    const std::uint64_t synapse_bytes = comm.sum(network.synapses.allocated_bytes());
    if (root)
        std::fprintf(stderr, "dtb: %llu neurons, %llu synapses, built in %.2f s on %s\n",
            static_cast<unsigned long long>(network.num_neurons), static_cast<unsigned long long>(synapses), build_s,
            Kokkos::DefaultExecutionSpace::name());

    sim::Simulation simulation(network);
    simulation.set_router(exchange.get());
    if (warmup_steps > 0)
        advance_with_progress(simulation, warmup_steps, dt, comm, nullptr, "warm-up", options);
    std::unique_ptr<sim::SpikeRecorder> recorder;
    if (root)
        recorder = std::make_unique<sim::SpikeRecorder>(ranges, dt, warmup_steps, steps,
            std::max<std::uint64_t>(1, to_steps(sim_spec.record().rate_bin_ms(), dt)), sim_spec.record().spikes());
    comm::SpikeGather gather(comm, recorder.get());
    comm.barrier();
    const auto sim_start = std::chrono::steady_clock::now();
    advance_with_progress(simulation, steps, dt, comm, &gather, "simulate", options);
    const double sim_s = comm.max(seconds_since(sim_start));

    RankSummary mine;
    mine.neurons = network.num_local_neurons;
    mine.synapses = network.synapses.num_synapses();
    mine.build_s = local_build_s;
    const auto& times = simulation.phase_times();
    mine.update_s = times.update_s;
    mine.route_s = times.route_s;
    mine.deliver_s = times.deliver_s;
    mine.record_s = times.record_s;
    if (exchange) {
        const auto stats = exchange->statistics();
        mine.mpi_s = stats.mpi_s;
        mine.bytes_sent = stats.bytes_sent;
        mine.messages_sent = stats.messages_sent;
        mine.intervals = stats.intervals;
    }
    mine.peak_rss_bytes = peak_rss_bytes();
    mine.input_buffer_bytes = simulation.input_buffer_bytes();
    const auto& counters = simulation.loop_counters();
    if (counters.steps > 0) {
        mine.kernel_launches_per_step = static_cast<double>(counters.kernel_launches) / static_cast<double>(counters.steps);
        mine.host_syncs_per_step = static_cast<double>(counters.host_syncs) / static_cast<double>(counters.steps);
    }
    const auto per_rank = gather_rank_summaries(comm, mine);
    if (!root)
        return 0;

    // Every file is written under a temporary name and renamed only when
    // all of them are complete; summary.json last.
    const std::string spikes_path = (out_dir / "spikes.h5").string();
    std::optional<sim::StagedFile> spikes_file;
    if (sim_spec.record().spikes()) {
        spikes_file.emplace(spikes_path);
        sim::write_sonata_spikes(spikes_file->temp_path(), ranges, recorder->events(), dt);
    }
    sim::StagedFile rates_file((out_dir / "rates.h5").string());
    sim::write_population_rates(rates_file.temp_path(), ranges, recorder->rate_bin_ms(), recorder->binned_rates_hz());

    RunSummary summary;
    summary.model = options.model_path;
    summary.neurons = network.num_neurons;
    summary.synapses = synapses;
    summary.dt_ms = dt;
    summary.interval_ms = simulation.interval_steps() * dt;
    summary.t_stop_ms = static_cast<double>(steps) * dt;
    summary.warmup_ms = static_cast<double>(warmup_steps) * dt;
    summary.seed = network.seed;
    summary.ranks = comm.size();
    summary.exchange = comm.size() > 1 ? options.exchange : "none";
    summary.backend = Kokkos::DefaultExecutionSpace::name();
    summary.build_s = build_s;
    summary.sim_s = sim_s;
    summary.synapse_bytes = synapse_bytes;
    summary.peak_rss_bytes = 0;
    for (const auto& r : per_rank)
        summary.peak_rss_bytes = std::max(summary.peak_rss_bytes, r.peak_rss_bytes);
    summary.spike_count = recorder->spike_count();
    summary.spikes_digest = recorder->digest_hex();
    summary.populations = recorder->population_statistics();
    summary.per_rank = per_rank;
    const std::string text = summary_json(summary);
    sim::StagedFile summary_file((out_dir / "summary.json").string());
    write_text_file(summary_file.temp_path(), text);

    if (spikes_file)
        spikes_file->commit();
    else
        fs::remove(spikes_path); // a stale file of an earlier run must not pass as this run's
    rates_file.commit();
    summary_file.commit();
    std::fputs(text.c_str(), stdout);
    return 0;
}

} // namespace

int run_command(const RunOptions& options, comm::Communicator& comm)
{
    const bool root = comm.rank() == 0;
    sim::v1::Model model;
    try {
        // Every rank reads the same file and so fails the same way.
        model = load_model(options);
    } catch (const sim::ModelError& e) {
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path out_dir(options.out_dir);
    if (fs::exists(out_dir) && !fs::is_directory(out_dir)) {
        if (root)
            std::fprintf(stderr, "dtb: error: --out %s exists and is not a directory\n", options.out_dir.c_str());
        return 2;
    }
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    try {
        return simulate(options, comm, model);
    } catch (const sim::ModelError& e) {
        // Limits only the engine knows (e.g. the delay range of a projection);
        // every rank builds the same projections, so all of them end here.
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    } catch (const Interrupted& interrupted) {
        if (root)
            std::fprintf(stderr, "\ndtb: interrupted by signal %d; no output files were completed\n", interrupted.signal);
        return 128 + interrupted.signal;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: rank %d of %d: error: %s\n", comm.rank(), comm.size(), e.what());
        std::fflush(stderr);
        if (comm.size() > 1)
            comm.abort(1);
        return 1;
    }
}

} // namespace dtb::app
