// dtb: the command-line entry point. Subcommands:
//   run MODEL --out DIR   simulate a model file (see README.md)
#include <CLI/CLI.hpp>
#include <Kokkos_Core.hpp>

#include "run_command.hpp"

int main(int argc, char** argv)
{
    CLI::App app{"dtb: distributed brain-scale spiking-network simulation"};
    app.require_subcommand(1);

    dtb::app::RunOptions run;
    double t_stop = 0, scale = 0;
    std::uint64_t seed = 0;
    auto* run_cmd = app.add_subcommand("run", "Simulate a model file and write spikes.h5, rates.h5, summary.json");
    run_cmd->add_option("model", run.model_path, "Model file (YAML or JSON)")->required();
    run_cmd->add_option("--out,-o", run.out_dir, "Output directory (created if missing)")->required();
    auto* t_stop_opt = run_cmd->add_option("--t-stop", t_stop, "Simulated time in ms (overrides the model)")
                           ->check(CLI::NonNegativeNumber);
    auto* seed_opt = run_cmd->add_option("--seed", seed, "Random seed (overrides the model)");
    auto* scale_opt = run_cmd->add_option("--scale", scale,
                                 "Multiply population sizes (fixed_total_number totals by scale^2)")
                          ->check(CLI::PositiveNumber);
    run_cmd->add_option("--warmup-ms", run.warmup_ms, "Simulate this long first, unrecorded and untimed")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_flag("--no-spikes", run.no_spikes, "Do not write spikes.h5 (rates and summary still)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (*t_stop_opt)
        run.t_stop_ms = t_stop;
    if (*seed_opt)
        run.seed = seed;
    if (*scale_opt)
        run.scale = scale;

    Kokkos::ScopeGuard kokkos(argc, argv);
    if (*run_cmd)
        return dtb::app::run_command(run);
    return 2;
}
