#pragma once
// The outputs of `dtb assimilate` in DIR (each written under a temporary name
// and renamed when complete, summary.json last):
//   assimilation.h5  /bold/{observed,forecast,analysis,replay} (regions x TRs),
//                    /hyperparameters/<label>/{forecast_mean, forecast_spread,
//                    analysis_mean, analysis_spread} (TRs x voxels) and truth
//                    (voxels) when known, attributes low/high;
//   summary.json     sizes, times, per-region and mean BOLD correlations and
//                    FC correlations of forecast, analysis and replay side by
//                    side, final estimates and param_rel_error (twin).
#include <string>

#include "assimilation/assimilation_config.hpp"
#include "assimilation/ensemble_assimilation.hpp"

namespace dtb::assimilation {

struct RunFacts {
    int ranks = 1;
    int groups = 1;
    double wall_s = 0;
    double truth_s = 0;
};

/// Writes both files; returns the summary JSON text.
std::string write_assimilation_outputs(const std::string& out_dir, const AssimilationSetup& setup,
    const AssimilationResult& result, const RunFacts& facts);

} // namespace dtb::assimilation
