#pragma once
// The HMDA loop (references.md section 3) over an ensemble of network
// replicas. Per TR: random walk of every member's hyperparameters in logit
// space, forecast (each member group simulates its members over one TR and
// integrates their Balloon-Windkessel BOLD), then - after the warm-up TRs -
// the stochastic EnKF analysis of the augmented per-voxel states
// [theta_log..., s, f, v, q, y] against the observed BOLD of that TR.
// The members' Balloon states and BOLD are gathered on every rank, and every
// rank computes the same analysis with the same random numbers (one stream
// from the config's seed, drawn in a fixed order), so the result does not
// depend on how members are laid out over ranks.
#include <cstdio>
#include <vector>

#include "assimilation/assimilation_config.hpp"
#include "assimilation/bold_observation_file.hpp"
#include "assimilation/ensemble_layout.hpp"
#include "comm/communicator.hpp"

namespace dtb::assimilation {

/// Ensemble mean and standard deviation of one hyperparameter (value space)
/// per TR and voxel, [tr * V + v]; NaN where it is not estimated.
struct HyperparameterTrajectory {
    std::vector<double> mean;
    std::vector<double> spread;
};

struct AssimilationResult {
    std::size_t regions = 0;
    std::size_t trs = 0;
    std::vector<double> observed; // [v * T + t], as assimilated (after any rescale)
    std::vector<double> forecast; // ensemble-mean BOLD before each analysis
    std::vector<double> analysis; // after each analysis (= forecast in warm-up TRs)
    std::vector<double> replay;   // open loop with the forecast-mean hyperparameters, no filter
    std::vector<HyperparameterTrajectory> forecast_theta; // per setup.estimate
    std::vector<HyperparameterTrajectory> analysis_theta;
    double assimilation_s = 0;  // the filter, construction of the members included
    double construction_s = 0;  // building the members' networks (slowest rank)
    double replay_s = 0;
};

/// Runs the filter over the first `observed.trs` TRs and the replay.
/// Collective over `world`; `progress` (rank 0, may be null) gets a line per TR.
AssimilationResult run_assimilation(const AssimilationSetup& setup, const BoldSeries& observed,
    comm::Communicator& world, EnsembleLayout& layout, std::FILE* progress);

} // namespace dtb::assimilation
