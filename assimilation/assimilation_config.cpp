#include "assimilation/assimilation_config.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/model_error.hpp"
#include "sim/model_loader.hpp"
#include "sim/network.hpp"
#include "sim/network_builder.hpp"

namespace dtb::assimilation {

namespace {

std::string relative_to(const std::string& base_file, const std::string& path)
{
    namespace fs = std::filesystem;
    const fs::path p(path);
    if (p.is_absolute())
        return path;
    return (fs::path(base_file).parent_path() / p).lexically_normal().string();
}

} // namespace

AssimilationSetup load_assimilation_config(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw sim::ModelError(path, "", "cannot open the assimilation config");
    std::stringstream text;
    text << in.rdbuf();
    v1::Config config;
    sim::parse_yaml_message(text.str(), path, config);

    AssimilationSetup setup;
    setup.config_path = path;
    if (config.model().empty())
        throw sim::ModelError(path, "model", "required: the model file (a brain bundle's model.yaml)");
    setup.model_path = relative_to(path, config.model());
    setup.model = sim::load_model_file(setup.model_path);
    if (!setup.model.has_brain())
        throw sim::ModelError(path, "model", setup.model_path + " is not a brain model (it has no brain.arrays)");
    setup.arrays = sim::load_brain_arrays(setup.model, setup.model_path);
    const std::size_t V = setup.arrays.num_voxels();
    if (setup.model.populations_size() != 2)
        throw sim::ModelError(path, "model", "a brain model has exactly two populations, E and I");

    if (!config.bold().empty())
        setup.bold_path = relative_to(path, config.bold());
    if (!config.bold_dataset().empty())
        setup.bold_dataset = config.bold_dataset();
    if (config.has_bold_nifti()) {
        const auto& nifti = config.bold_nifti();
        if (!setup.bold_path.empty())
            throw sim::ModelError(path, "bold_nifti", "give the observed BOLD once: `bold` or `bold_nifti`, not both");
        if (nifti.image().empty())
            throw sim::ModelError(path, "bold_nifti.image", "required: the 4-D NIfTI image (.nii or .nii.gz)");
        if (nifti.atlas().empty())
            throw sim::ModelError(path, "bold_nifti.atlas",
                "required: the atlas the model was built from (dtb build-brain --atlas), on the image's grid");
        if (!config.bold_dataset().empty())
            throw sim::ModelError(path, "bold_dataset", "applies to an HDF5 `bold` file only, not to `bold_nifti`");
        setup.bold_image_path = relative_to(path, nifti.image());
        setup.bold_atlas_path = relative_to(path, nifti.atlas());
    }
    if (config.has_tr_ms())
        setup.tr_ms = config.tr_ms();
    const double dt = setup.model.simulation().dt_ms();
    if (!(setup.tr_ms >= 1) || std::fabs(setup.tr_ms - std::round(setup.tr_ms)) > 1e-9)
        throw sim::ModelError(path, "tr_ms", "must be a whole number of ms >= 1, got " + std::to_string(setup.tr_ms));
    if (std::fabs(1.0 / dt - std::round(1.0 / dt)) > 1e-9)
        throw sim::ModelError(path, "model", "the model's dt must divide 1 ms (the Balloon step)");
    if (config.has_members())
        setup.members = config.members();
    if (setup.members < 2 || setup.members > 100000)
        throw sim::ModelError(path, "members", "must be in [2, 100000], got " + std::to_string(setup.members));
    if (config.has_random_walk_variance())
        setup.random_walk_variance = config.random_walk_variance();
    if (!(setup.random_walk_variance >= 0) || !std::isfinite(setup.random_walk_variance))
        throw sim::ModelError(path, "random_walk_variance", "must be finite and >= 0");
    if (config.has_observation_noise())
        setup.observation_noise = config.observation_noise();
    if (!(setup.observation_noise > 0) || !std::isfinite(setup.observation_noise))
        throw sim::ModelError(path, "observation_noise", "must be finite and > 0");
    if (config.has_rho())
        setup.rho = config.rho();
    if (!(setup.rho >= 0 && setup.rho <= 1))
        throw sim::ModelError(path, "rho", "must be in [0, 1]");
    if (config.has_warmup_trs())
        setup.warmup_trs = config.warmup_trs();
    setup.rescale = config.has_rescale() ? config.rescale() : !setup.twin();
    if (config.has_seed())
        setup.seed = config.seed();
    if (config.has_trs())
        setup.trs = config.trs();
    if (config.has_truth_seed())
        setup.truth_seed = config.truth_seed();
    if (setup.twin() && setup.trs == 0)
        throw sim::ModelError(path, "trs", "a twin experiment (no `bold` or `bold_nifti`) needs the number of TRs to simulate");

    if (config.estimate_size() == 0)
        throw sim::ModelError(path, "estimate", "at least one hyperparameter to estimate is needed");
    for (int k = 0; k < config.estimate_size(); ++k) {
        const auto& spec = config.estimate(k);
        const std::string field = "estimate[" + std::to_string(k) + "]";
        EstimatedHyperparameter h;
        try {
            h.kind = hyperparameter_kind(spec.quantity());
        } catch (const std::invalid_argument& e) {
            throw sim::ModelError(path, field + ".quantity", e.what());
        }
        std::string population = spec.population();
        if (population.empty())
            population = h.kind == HyperparameterKind::i_ext ? setup.model.populations(0).name() : "";
        bool found = false;
        for (int p = 0; p < setup.model.populations_size(); ++p)
            if (setup.model.populations(p).name() == population) {
                h.population = static_cast<std::size_t>(p);
                found = true;
            }
        if (!found)
            throw sim::ModelError(path, field + ".population",
                "unknown population '" + population + "'; populations are: " + setup.model.populations(0).name()
                    + ", " + setup.model.populations(1).name());
        if (h.kind == HyperparameterKind::i_ext && h.population != 0)
            throw sim::ModelError(path, field + ".population", "i_ext drives the E population (the first) only");
        if (!std::isfinite(spec.low()) || !std::isfinite(spec.high()) || !(spec.low() < spec.high()))
            throw sim::ModelError(path, field, "bounds must be finite with low < high, got low = "
                + std::to_string(spec.low()) + ", high = " + std::to_string(spec.high()));
        h.bounds = {spec.low(), spec.high()};
        h.prior_low = spec.has_prior_low() ? spec.prior_low() : spec.low();
        h.prior_high = spec.has_prior_high() ? spec.prior_high() : spec.high();
        if (!(h.prior_low >= spec.low() && h.prior_high <= spec.high() && h.prior_low <= h.prior_high))
            throw sim::ModelError(path, field, "the prior range must lie inside [low, high] with prior_low <= prior_high");
        h.active.assign(V, spec.regions_size() == 0);
        for (int r = 0; r < spec.regions_size(); ++r) {
            if (spec.regions(r) >= V)
                throw sim::ModelError(path, field + ".regions[" + std::to_string(r) + "]",
                    "voxel index " + std::to_string(spec.regions(r)) + " is beyond the model's " + std::to_string(V)
                        + " voxels");
            h.active[spec.regions(r)] = true;
        }
        std::size_t num_active = 0;
        for (const bool a : h.active)
            num_active += a;
        if (spec.truth_size() > 0) {
            if (spec.truth_size() != 1 && static_cast<std::size_t>(spec.truth_size()) != num_active)
                throw sim::ModelError(path, field + ".truth",
                    "give one value or one per estimated voxel (" + std::to_string(num_active) + "), got "
                        + std::to_string(spec.truth_size()));
            h.truth.assign(V, std::numeric_limits<double>::quiet_NaN());
            int next = 0;
            for (std::size_t v = 0; v < V; ++v)
                if (h.active[v]) {
                    const double value = spec.truth(spec.truth_size() == 1 ? 0 : next++);
                    if (!(value > spec.low() && value < spec.high()))
                        throw sim::ModelError(path, field + ".truth",
                            "true value " + std::to_string(value) + " is outside (low, high)");
                    h.truth[v] = value;
                }
        } else if (setup.twin()) {
            throw sim::ModelError(path, field + ".truth", "a twin experiment (no `bold` or `bold_nifti`) needs the true values");
        }
        h.label = spec.quantity() + "_" + setup.model.populations(static_cast<int>(h.population)).name();
        for (const auto& other : setup.estimate)
            if (other.label == h.label)
                throw sim::ModelError(path, field, h.label + " is estimated twice");
        setup.estimate.push_back(h);
    }
    if (setup.warmup_trs > 0 && setup.trs > 0 && setup.trs <= setup.warmup_trs)
        throw sim::ModelError(path, "warmup_trs", "must be below trs (" + std::to_string(setup.trs) + ")");
    return setup;
}

} // namespace dtb::assimilation
