#pragma once
// BOLD of one network replica run open loop: hyperparameters given per TR
// (no filter), Balloon-Windkessel from rest, BOLD sampled at the end of each
// TR. Used for the twin's synthetic observations (`dtb simulate-bold`, the
// truth) and for the open-loop replay with the estimated trajectory. Every
// member group runs it (the same result everywhere); collective over the
// layout's group.
#include <cstdint>
#include <vector>

#include "assimilation/assimilation_config.hpp"
#include "assimilation/bold_observation_file.hpp"
#include "assimilation/ensemble_layout.hpp"

namespace dtb::assimilation {

/// theta[k][tr * V + v]: value of setup.estimate[k] in TR tr at voxel v
/// (ignored where the hyperparameter is not active). `network_seed` 0: the
/// model's seed.
BoldSeries simulate_bold_series(const AssimilationSetup& setup, const std::vector<std::vector<double>>& theta,
    std::size_t trs, std::uint64_t network_seed, EnsembleLayout& layout);

/// The true values of every estimated hyperparameter, repeated for `trs` TRs.
std::vector<std::vector<double>> truth_trajectory(const AssimilationSetup& setup, std::size_t trs);

} // namespace dtb::assimilation
