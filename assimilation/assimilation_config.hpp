#pragma once
// Loads and checks an assimilation config (proto/dtb/assimilation/v1/
// config.proto) together with the model it names: every user error (a bad
// key, bounds with low >= high, a voxel index beyond the model, truth of the
// wrong length) is a sim::ModelError naming the config file and the field.
#include <cstdint>
#include <string>
#include <vector>

#include "assimilation/bounded_parameter.hpp"
#include "assimilation/hyperparameter_control.hpp"
#include "dtb/assimilation/v1/config.pb.h"
#include "dtb/sim/v1/model.pb.h"
#include "sim/brain_arrays.hpp"

namespace dtb::assimilation {

struct EstimatedHyperparameter {
    std::string label;              // e.g. "g_ampa_E"
    HyperparameterKind kind = HyperparameterKind::g_ampa;
    std::size_t population = 0;     // index in the model
    BoundedParameter bounds;
    double prior_low = 0, prior_high = 0;
    std::vector<bool> active;       // per voxel: estimated there
    std::vector<double> truth;      // per voxel (NaN where inactive); empty if unknown
};

struct AssimilationSetup {
    std::string config_path;
    std::string model_path;
    sim::v1::Model model;           // defaulted and validated
    sim::BrainArrays arrays;
    std::string bold_path;          // observed BOLD as a .csv/.h5 file
    std::string bold_dataset = "bold";
    std::string bold_image_path;    // or as a 4-D NIfTI image (config bold_nifti.image)
    std::string bold_atlas_path;    //   on the grid of this atlas (bold_nifti.atlas)
    double tr_ms = 800;
    std::size_t members = 16;
    std::vector<EstimatedHyperparameter> estimate;
    double random_walk_variance = 0.25;
    double observation_noise = 1e-8;
    double rho = 0.8;
    std::size_t warmup_trs = 0;
    bool rescale = true;
    std::uint64_t seed = 1;
    std::size_t trs = 0;            // 0: all TRs of the observation
    std::uint64_t truth_seed = 0;   // 0: the model's seed
    bool twin() const { return bold_path.empty() && bold_image_path.empty(); }
    std::size_t num_voxels() const { return arrays.num_voxels(); }
};

/// Parses, defaults and checks `path` and loads its model; throws sim::ModelError.
AssimilationSetup load_assimilation_config(const std::string& path);

} // namespace dtb::assimilation
