#include "run_command.hpp"

#include <Kokkos_Core.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "progress_display.hpp"
#include "run_summary.hpp"
#include "sim/model_loader.hpp"
#include "sim/model_validation.hpp"
#include "sim/network.hpp"
#include "sim/population_rate_writer.hpp"
#include "sim/simulation.hpp"
#include "sim/sonata_spike_writer.hpp"
#include "sim/spike_recorder.hpp"
#include "sim/staged_file.hpp"

namespace dtb::app {

namespace {

std::atomic<int> interrupt_signal{0};
extern "C" void on_interrupt(int signal) { interrupt_signal = signal; }

struct Interrupted {
    int signal;
};

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The model with command-line overrides applied, defaulted and validated.
sim::v1::Model load_model(const RunOptions& options)
{
    sim::v1::Model model = sim::load_model_file(options.model_path);
    if (options.scale) {
        model.set_scale(*options.scale);
        sim::apply_model_defaults(model);
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

// Advances in chunks so progress shows and an interrupt is noticed.
void advance_with_progress(sim::Simulation& simulation, std::uint64_t steps, double dt_ms,
    sim::SpikeObserver* observer, const char* phase)
{
    ProgressDisplay progress(stderr, static_cast<double>(steps) * dt_ms, phase);
    const std::uint64_t interval = simulation.interval_steps();
    const std::uint64_t chunk = std::max<std::uint64_t>(interval, (steps / 200 + interval - 1) / interval * interval);
    for (std::uint64_t done = 0; done < steps;) {
        const std::uint64_t n = std::min(chunk, steps - done);
        simulation.advance(n, observer);
        done += n;
        if (interrupt_signal != 0)
            throw Interrupted{interrupt_signal};
        progress.update(static_cast<double>(done) * dt_ms);
    }
    progress.finish();
}

void write_text_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

} // namespace

int run_command(const RunOptions& options)
{
    sim::v1::Model model;
    try {
        model = load_model(options);
    } catch (const sim::ModelError& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path out_dir(options.out_dir);
    if (fs::exists(out_dir) && !fs::is_directory(out_dir)) {
        std::fprintf(stderr, "dtb: error: --out %s exists and is not a directory\n", options.out_dir.c_str());
        return 2;
    }

    const auto& sim_spec = model.simulation();
    const double dt = sim_spec.dt_ms();
    const std::uint64_t warmup_steps = to_steps(options.warmup_ms, dt);
    const std::uint64_t steps = to_steps(sim_spec.t_stop_ms(), dt);

    const auto build_start = std::chrono::steady_clock::now();
    std::fprintf(stderr, "dtb: building %s\n", options.model_path.c_str());
    sim::Network network;
    try {
        network = sim::build_network(model, options.model_path);
    } catch (const sim::ModelError& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    Kokkos::fence();
    const double build_s = seconds_since(build_start);
    std::fprintf(stderr, "dtb: %llu neurons, %llu synapses, built in %.2f s on %s\n",
        static_cast<unsigned long long>(network.num_neurons),
        static_cast<unsigned long long>(network.synapses.num_synapses()), build_s,
        Kokkos::DefaultExecutionSpace::name());

    fs::create_directories(out_dir);
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    try {
        sim::Simulation simulation(network);
        if (warmup_steps > 0)
            advance_with_progress(simulation, warmup_steps, dt, nullptr, "warm-up");
        sim::SpikeRecorder recorder(network.population_ranges(), dt, warmup_steps, steps,
            std::max<std::uint64_t>(1, to_steps(sim_spec.record().rate_bin_ms(), dt)), sim_spec.record().spikes());
        const auto sim_start = std::chrono::steady_clock::now();
        advance_with_progress(simulation, steps, dt, &recorder, "simulate");
        const double sim_s = seconds_since(sim_start);

        // Every file is written under a temporary name and renamed only when
        // all of them are complete; summary.json last.
        const std::string spikes_path = (out_dir / "spikes.h5").string();
        std::optional<sim::StagedFile> spikes_file;
        if (sim_spec.record().spikes()) {
            spikes_file.emplace(spikes_path);
            sim::write_sonata_spikes(spikes_file->temp_path(), network.population_ranges(), recorder.events(), dt);
        }
        sim::StagedFile rates_file((out_dir / "rates.h5").string());
        sim::write_population_rates(
            rates_file.temp_path(), network.population_ranges(), recorder.rate_bin_ms(), recorder.binned_rates_hz());

        RunSummary summary;
        summary.model = options.model_path;
        summary.neurons = network.num_neurons;
        summary.synapses = network.synapses.num_synapses();
        summary.dt_ms = dt;
        summary.t_stop_ms = static_cast<double>(steps) * dt;
        summary.warmup_ms = static_cast<double>(warmup_steps) * dt;
        summary.seed = network.seed;
        summary.backend = Kokkos::DefaultExecutionSpace::name();
        summary.build_s = build_s;
        summary.sim_s = sim_s;
        summary.synapse_bytes = network.synapses.allocated_bytes();
        summary.peak_rss_bytes = peak_rss_bytes();
        summary.spike_count = recorder.spike_count();
        summary.spikes_digest = recorder.digest_hex();
        summary.populations = recorder.population_statistics();
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
    } catch (const Interrupted& interrupted) {
        std::fprintf(stderr, "\ndtb: interrupted by signal %d; no output files were completed\n", interrupted.signal);
        return 128 + interrupted.signal;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace dtb::app
