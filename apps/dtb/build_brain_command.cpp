#include "build_brain_command.hpp"

#include <cstdio>
#include <exception>

#include "sim/brain/brain_builder.hpp"
#include "sim/brain/brain_bundle_writer.hpp"

namespace dtb::app {

int build_brain_command(const BuildBrainOptions& options)
{
    brain::BrainBuildOptions build_options;
    build_options.atlas_path = options.atlas_path;
    build_options.grey_matter_path = options.grey_matter_path;
    build_options.density_path = options.density_path;
    build_options.connectivity_path = options.connectivity_path;
    build_options.neurons = options.neurons;
    build_options.in_degree = options.in_degree;
    build_options.voxel_mm = options.voxel_mm;
    build_options.regions = options.regions;
    build_options.velocity_m_per_s = options.velocity_m_per_s;
    build_options.lambda_per_mm = options.lambda_per_mm;
    build_options.max_sources = options.max_sources;
    build_options.ranks = options.ranks;
    build_options.model_name = options.name;
    if (options.out_dir.empty()) {
        std::fprintf(stderr, "dtb: error: --out: required (the bundle directory to write)\n");
        return 2;
    }
    brain::BrainBuild build;
    try {
        build = brain::build_brain(build_options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
    try {
        brain::write_brain_bundle(build, options.out_dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 1;
    }
    if (!options.quiet)
        std::fputs(build.report.text().c_str(), stdout);
    std::printf("\nwrote %s/model.yaml, brain.h5, report.txt\nrun it with: dtb run %s/model.yaml --out RUN_DIR\n",
        options.out_dir.c_str(), options.out_dir.c_str());
    return 0;
}

} // namespace dtb::app
