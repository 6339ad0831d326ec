#include "simulate_bold_command.hpp"

#include <cstdio>
#include <filesystem>

#include "assimilation/assimilation_config.hpp"
#include "assimilation/bold_observation_nifti.hpp"
#include "assimilation/bold_simulation.hpp"
#include "assimilation/ensemble_layout.hpp"
#include "sim/model_error.hpp"

namespace dtb::app {

namespace {

bool ends_with(const std::string& text, const std::string& suffix)
{
    return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

int simulate_bold_command(const SimulateBoldOptions& options, comm::Communicator& world)
{
    const bool root = world.rank() == 0;
    assimilation::AssimilationSetup setup;
    try {
        setup = assimilation::load_assimilation_config(options.config_path);
        if (options.trs)
            setup.trs = *options.trs;
        if (setup.trs == 0)
            throw sim::ModelError(options.config_path, "trs", "give the number of TRs (trs or --trs)");
        for (std::size_t k = 0; k < setup.estimate.size(); ++k)
            if (setup.estimate[k].truth.empty())
                throw sim::ModelError(options.config_path, "estimate[" + std::to_string(k) + "].truth",
                    "simulate-bold needs the true value of every estimated hyperparameter");
        const bool nifti_out = ends_with(options.out_path, ".nii") || ends_with(options.out_path, ".nii.gz");
        if (nifti_out && options.atlas_path.empty())
            throw sim::ModelError(options.out_path, "--atlas",
                "a NIfTI --out needs --atlas, the atlas the model was built from");
        if (!nifti_out && !options.atlas_path.empty())
            throw sim::ModelError(options.out_path, "--out", "with --atlas, --out must end in .nii or .nii.gz");
        if (!nifti_out && !ends_with(options.out_path, ".h5") && !ends_with(options.out_path, ".hdf5"))
            throw sim::ModelError(options.out_path, "--out", "allowed: .h5 or .hdf5 (or .nii/.nii.gz with --atlas)");
        const auto parent = std::filesystem::path(options.out_path).parent_path();
        if (!parent.empty() && !std::filesystem::is_directory(parent))
            throw sim::ModelError(options.out_path, "", "the directory of --out does not exist");
    } catch (const sim::ModelError& e) {
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        if (root)
            std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    try {
        // One member: every rank simulates the same network (as one group).
        assimilation::EnsembleLayout layout(world, 1);
        const std::uint64_t seed = options.seed ? *options.seed : setup.truth_seed;
        const auto series = assimilation::simulate_bold_series(
            setup, assimilation::truth_trajectory(setup, setup.trs), setup.trs, seed, layout);
        if (root) {
            if (options.atlas_path.empty())
                assimilation::write_bold_file(options.out_path, series);
            else
                assimilation::write_bold_nifti(options.out_path, series, options.atlas_path, setup.arrays);
            std::fprintf(stderr, "dtb: wrote %zu regions x %zu TRs of BOLD to %s\n", series.regions, series.trs,
                options.out_path.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: rank %d of %d: error: %s\n", world.rank(), world.size(), e.what());
        if (world.size() > 1)
            world.abort(1);
        return 1;
    }
}

} // namespace dtb::app
