#include "assimilate_command.hpp"
#include "sim/wall_clock.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "assimilation/assimilation_config.hpp"
#include "assimilation/assimilation_output.hpp"
#include "assimilation/bold_observation_file.hpp"
#include "assimilation/bold_observation_nifti.hpp"
#include "assimilation/bold_simulation.hpp"
#include "assimilation/ensemble_assimilation.hpp"
#include "assimilation/ensemble_layout.hpp"
#include "sim/model_error.hpp"

namespace dtb::app {

namespace {

using sim::seconds_since;

// The observations of a non-twin run, checked against the model and config.
assimilation::BoldSeries load_observations(const assimilation::AssimilationSetup& setup)
{
    const bool from_image = !setup.bold_image_path.empty();
    const std::string& source = from_image ? setup.bold_image_path : setup.bold_path;
    assimilation::BoldSeries bold;
    try {
        bold = from_image
            ? assimilation::read_bold_nifti(setup.bold_image_path, setup.bold_atlas_path, setup.arrays, setup.tr_ms)
            : assimilation::read_bold_file(setup.bold_path, setup.bold_dataset);
    } catch (const std::runtime_error& e) {
        throw sim::ModelError(setup.config_path, from_image ? "bold_nifti" : "bold", e.what());
    }
    if (bold.regions != setup.num_voxels())
        throw sim::ModelError(setup.config_path, "bold",
            setup.bold_path + " has " + std::to_string(bold.regions) + " regions, the model has "
                + std::to_string(setup.num_voxels()) + " voxels (one row per voxel/region)");
    if (setup.trs > bold.trs)
        throw sim::ModelError(setup.config_path, "trs",
            std::to_string(setup.trs) + " TRs asked for, " + source + " holds " + std::to_string(bold.trs));
    const std::size_t trs = setup.trs ? setup.trs : bold.trs;
    if (trs <= setup.warmup_trs)
        throw sim::ModelError(setup.config_path, "warmup_trs",
            "the BOLD has " + std::to_string(trs) + " TRs, not more than the " + std::to_string(setup.warmup_trs)
                + " warm-up TRs");
    if (bold.tr_ms > 0 && std::fabs(bold.tr_ms - setup.tr_ms) > 1e-9)
        throw sim::ModelError(setup.config_path, "tr_ms",
            std::to_string(setup.tr_ms) + " ms, but " + setup.bold_path + " says tr_ms = " + std::to_string(bold.tr_ms));
    if (trs < bold.trs) {
        assimilation::BoldSeries cut = bold;
        cut.trs = trs;
        cut.values.clear();
        for (std::size_t r = 0; r < bold.regions; ++r)
            for (std::size_t t = 0; t < trs; ++t)
                cut.values.push_back(bold.at(r, t));
        bold = cut;
    }
    if (setup.rescale)
        assimilation::rescale_bold(bold);
    return bold;
}

} // namespace

int assimilate_command(const AssimilateOptions& options, comm::Communicator& world)
{
    namespace fs = std::filesystem;
    const auto start = std::chrono::steady_clock::now();
    const bool root = world.rank() == 0;
    assimilation::AssimilationSetup setup;
    assimilation::BoldSeries observed;
    try {
        // Every rank reads the same files and so fails the same way.
        setup = assimilation::load_assimilation_config(options.config_path);
        if (options.members) {
            if (*options.members < 2)
                throw sim::ModelError(options.config_path, "members", "--members must be >= 2");
            setup.members = *options.members;
        }
        if (options.trs)
            setup.trs = *options.trs;
        if (setup.twin() && setup.trs <= setup.warmup_trs)
            throw sim::ModelError(setup.config_path, "trs", "must be above warmup_trs");
        if (!setup.twin())
            observed = load_observations(setup);
        if (fs::exists(options.out_dir) && !fs::is_directory(options.out_dir))
            throw sim::ModelError(options.out_dir, "", "--out exists and is not a directory");
    } catch (const sim::ModelError& e) {
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    try {
        assimilation::EnsembleLayout layout(world, setup.members);
        if (root)
            std::fprintf(stderr, "dtb: assimilating with %zu members on %d rank%s (%d member group%s), %zu voxels\n",
                setup.members, world.size(), world.size() > 1 ? "s" : "", layout.num_groups(),
                layout.num_groups() > 1 ? "s" : "", setup.num_voxels());
        double truth_s = 0;
        if (setup.twin()) {
            const auto truth_start = std::chrono::steady_clock::now();
            observed = assimilation::simulate_bold_series(
                setup, assimilation::truth_trajectory(setup, setup.trs), setup.trs, setup.truth_seed, layout);
            if (setup.rescale)
                assimilation::rescale_bold(observed);
            truth_s = world.max(seconds_since(truth_start));
            if (root)
                std::fprintf(stderr, "dtb: twin: simulated the true BOLD (%zu TRs) in %.1f s\n", setup.trs, truth_s);
        }
        const auto result
            = assimilation::run_assimilation(setup, observed, world, layout, options.quiet ? nullptr : stderr);
        const double wall_s = world.max(seconds_since(start));
        if (!root)
            return 0;
        fs::create_directories(options.out_dir);
        if (setup.twin())
            assimilation::write_bold_file((fs::path(options.out_dir) / "observed_bold.h5").string(), observed);
        const std::string text = assimilation::write_assimilation_outputs(
            options.out_dir, setup, result, {world.size(), layout.num_groups(), wall_s, truth_s});
        std::fputs(text.c_str(), stdout);
        return 0;
    } catch (const sim::ModelError& e) {
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: rank %d of %d: error: %s\n", world.rank(), world.size(), e.what());
        std::fflush(stderr);
        if (world.size() > 1)
            world.abort(1);
        return 1;
    }
}

} // namespace dtb::app
