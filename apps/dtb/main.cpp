// dtb: the command-line entry point. Subcommands:
//   run MODEL --out DIR          simulate a model file (also under mpirun/srun)
//   partition MODEL --ranks N    print the partition plan without simulating
//   report RUN_DIR [--out DIR]   figures and report.html of a run
//   build-brain --atlas ... --out BUNDLE   whole-brain model bundle from imaging data
//   assimilate CONFIG --out DIR  fit hyperparameters to BOLD (ensemble Kalman filter)
//   simulate-bold CONFIG --out FILE.h5   synthetic BOLD for twin experiments
//                 (or --out FILE.nii.gz --atlas ATLAS: as a 4-D fMRI image)
#include <CLI/CLI.hpp>
#include <Kokkos_Core.hpp>

#include "assimilate_command.hpp"
#include "build_brain_command.hpp"
#include "comm/mpi_communicator.hpp"
#include "launch_check.hpp"
#include "partition_command.hpp"
#include "report_command.hpp"
#include "run_command.hpp"
#include "simulate_bold_command.hpp"

int main(int argc, char** argv)
{
    CLI::App app{"dtb: distributed brain-scale spiking-network simulation"};
    app.require_subcommand(1);

    dtb::app::RunOptions run;
    double t_stop = 0, scale = 0;
    std::uint64_t seed = 0;
    std::string fault;
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
    run_cmd->add_option("--exchange", run.exchange, "Spike exchange between ranks: direct or two-level (node-aware)")
        ->check(CLI::IsMember({"direct", "two-level"}));
    run_cmd->add_option("--ranks-per-node", run.ranks_per_node,
               "Group ranks into nodes of this size for --exchange two-level (default: real nodes)")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--inject-fault", fault, "Testing: RANK:MS makes that rank fail at that simulated time")
        ->group("Testing");

    dtb::app::PartitionOptions partition;
    auto* partition_cmd = app.add_subcommand("partition", "Print how a model would be split over ranks");
    partition_cmd->add_option("model", partition.model_path, "Model file (YAML or JSON)")->required();
    partition_cmd->add_option("--ranks,-n", partition.ranks, "Number of ranks")->required()->check(CLI::PositiveNumber);
    partition_cmd->add_option("--rate-hz", partition.rate_hz, "Nominal firing rate for traffic estimates")
        ->check(CLI::NonNegativeNumber);

    dtb::app::ReportOptions report;
    auto* report_cmd = app.add_subcommand("report", "Write figures and report.html from a run's outputs");
    report_cmd->add_option("run_dir", report.run_dir, "Run directory (the --out of dtb run)")->required();
    report_cmd->add_option("--out,-o", report.out_dir, "Report directory (default RUN_DIR/report)");
    report_cmd->add_option("--brain", report.brain,
        "Brain arrays (brain.h5 or the bundle directory) of a brain-model run (default: from the run's model)");

    dtb::app::BuildBrainOptions brain;
    auto* brain_cmd = app.add_subcommand(
        "build-brain", "Build a whole-brain model bundle (model.yaml, brain.h5, report.txt) from imaging data");
    brain_cmd->add_option("--atlas", brain.atlas_path, "Atlas: NIfTI labels (.nii/.nii.gz), 0 = background")->required();
    brain_cmd->add_option("--grey-matter", brain.grey_matter_path, "Grey-matter map (NIfTI; default: the atlas mask)");
    brain_cmd->add_option("--density", brain.density_path, "Synaptic-density (PET) map (NIfTI): scales K per voxel");
    brain_cmd->add_option("--connectivity", brain.connectivity_path,
        "Connectome: TVB directory, .csv or .h5 matrix (default: exponential distance rule stand-in)");
    brain_cmd->add_option("--neurons", brain.neurons, "Total number of neurons")->required();
    brain_cmd->add_option("--in-degree", brain.in_degree, "Mean in-synapses per neuron K")->capture_default_str();
    auto* voxel_opt = brain_cmd->add_option("--voxel-mm", brain.voxel_mm, "Voxel edge in mm")->capture_default_str();
    brain_cmd->add_flag("--regions", brain.regions, "One voxel per atlas region instead of a voxel grid")
        ->excludes(voxel_opt);
    brain_cmd->add_option("--velocity", brain.velocity_m_per_s, "Conduction velocity in m/s")->capture_default_str();
    brain_cmd->add_option("--lambda", brain.lambda_per_mm, "Exponential distance rule decay per mm")
        ->capture_default_str();
    brain_cmd->add_option("--max-sources", brain.max_sources, "Connectivity entries kept per voxel")
        ->capture_default_str();
    brain_cmd->add_option("--ranks", brain.ranks, "Ranks for the memory estimate")->capture_default_str();
    brain_cmd->add_option("--name", brain.name, "Model name (default brain_<atlas>)");
    brain_cmd->add_flag("--quiet", brain.quiet, "Do not print the report");
    brain_cmd->add_option("--out,-o", brain.out_dir, "Bundle directory to write")->required();

    dtb::app::AssimilateOptions assimilate;
    std::size_t assimilate_members = 0, assimilate_trs = 0;
    auto* assimilate_cmd = app.add_subcommand("assimilate",
        "Estimate hyperparameters from BOLD with an ensemble Kalman filter (HMDA); writes assimilation.h5, summary.json");
    assimilate_cmd->add_option("config", assimilate.config_path, "Assimilation config (YAML or JSON)")->required();
    assimilate_cmd->add_option("--out,-o", assimilate.out_dir, "Output directory (created if missing)")->required();
    auto* assimilate_members_opt
        = assimilate_cmd->add_option("--members", assimilate_members, "Ensemble size (overrides the config)")
              ->check(CLI::Range(std::size_t(2), std::size_t(100000)));
    auto* assimilate_trs_opt
        = assimilate_cmd->add_option("--trs", assimilate_trs, "TRs to assimilate (overrides the config)")
              ->check(CLI::PositiveNumber);
    assimilate_cmd->add_flag("--quiet", assimilate.quiet, "No progress line per TR");

    dtb::app::SimulateBoldOptions simulate_bold;
    std::size_t simulate_bold_trs = 0;
    std::uint64_t simulate_bold_seed = 0;
    auto* simulate_bold_cmd = app.add_subcommand("simulate-bold",
        "Synthetic BOLD from a model with known hyperparameters (the truth of an assimilation config)");
    simulate_bold_cmd->add_option("config", simulate_bold.config_path, "Assimilation config with truth values")
        ->required();
    simulate_bold_cmd->add_option("--out,-o", simulate_bold.out_path, "BOLD file to write (.h5, or .nii/.nii.gz with --atlas)")->required();
    simulate_bold_cmd->add_option("--atlas", simulate_bold.atlas_path,
        "Write a 4-D NIfTI on this atlas's grid (the atlas the model was built from)");
    auto* simulate_bold_trs_opt
        = simulate_bold_cmd->add_option("--trs", simulate_bold_trs, "TRs to simulate (overrides the config)")
              ->check(CLI::PositiveNumber);
    auto* simulate_bold_seed_opt = simulate_bold_cmd->add_option(
        "--seed", simulate_bold_seed, "Network seed (overrides truth_seed and the model's seed)");

    try {
        app.parse(argc, argv);
        if (!fault.empty()) {
            const auto colon = fault.find(':');
            if (colon == std::string::npos)
                throw CLI::ValidationError("--inject-fault", "expected RANK:MS, got '" + fault + "'");
            run.fault_rank = std::stoi(fault.substr(0, colon));
            run.fault_at_ms = std::stod(fault.substr(colon + 1));
        }
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    } catch (const std::logic_error&) {
        std::fprintf(stderr, "dtb: error: --inject-fault: expected RANK:MS, got '%s'\n", fault.c_str());
        return 2;
    }
    if (*t_stop_opt)
        run.t_stop_ms = t_stop;
    if (*seed_opt)
        run.seed = seed;
    if (*scale_opt)
        run.scale = scale;
    if (*assimilate_members_opt)
        assimilate.members = assimilate_members;
    if (*assimilate_trs_opt)
        assimilate.trs = assimilate_trs;
    if (*simulate_bold_trs_opt)
        simulate_bold.trs = simulate_bold_trs;
    if (*simulate_bold_seed_opt)
        simulate_bold.seed = simulate_bold_seed;

    if (*partition_cmd)
        return dtb::app::partition_command(partition);
    if (*report_cmd)
        return dtb::app::report_command(report); // a Python child: before MPI_Init, no Kokkos
    if (*brain_cmd)
        return dtb::app::build_brain_command(brain);

    // MPI first, then Kokkos; finalised in reverse (style.md).
    dtb::comm::MpiSession mpi(argc, argv);
    auto world = dtb::comm::make_mpi_communicator();
    if (const std::string problem = dtb::app::launch_mismatch(*world); !problem.empty()) {
        std::fprintf(stderr, "dtb: rank %d: error: %s\n", world->rank(), problem.c_str());
        return 2;
    }
    Kokkos::ScopeGuard kokkos(argc, argv);
    if (*assimilate_cmd)
        return dtb::app::assimilate_command(assimilate, *world);
    if (*simulate_bold_cmd)
        return dtb::app::simulate_bold_command(simulate_bold, *world);
    return dtb::app::run_command(run, *world);
}
