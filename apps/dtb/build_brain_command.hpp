#pragma once
// `dtb build-brain`: build a whole-brain model bundle (model.yaml + brain.h5 +
// report.txt) from imaging data. docs/brain_bundle.md describes the rules.
#include <cstdint>
#include <string>

namespace dtb::app {

struct BuildBrainOptions {
    std::string atlas_path;          // --atlas FILE.nii[.gz] (required)
    std::string grey_matter_path;    // --grey-matter FILE
    std::string density_path;        // --density FILE (synaptic density, PET)
    std::string connectivity_path;   // --connectivity DIR_OR_FILE (TVB dir, .csv, .h5)
    std::uint64_t neurons = 0;       // --neurons N (required)
    std::uint32_t in_degree = 100;   // --in-degree K
    double voxel_mm = 6;             // --voxel-mm S
    bool regions = false;            // --regions
    double velocity_m_per_s = 3.0;   // --velocity M_PER_S
    double lambda_per_mm = 0.1;      // --lambda PER_MM (exponential distance rule)
    std::uint32_t max_sources = 200; // --max-sources M
    std::uint32_t ranks = 1;         // --ranks N (memory estimate)
    std::string name;                // --name (model name)
    std::string out_dir;             // --out BUNDLE_DIR (required)
    bool quiet = false;              // --quiet: do not print the report
};

/// Exit code: 0; 2 for bad input (one message naming the option or file and
/// what is allowed; nothing written); 1 when writing the bundle fails.
int build_brain_command(const BuildBrainOptions& options);

} // namespace dtb::app
