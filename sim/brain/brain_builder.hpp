#pragma once
// `dtb build-brain`: imaging data to a model bundle (docs/brain_bundle.md).
// build_brain does all the work in memory and writes nothing;
// write_brain_bundle (brain_bundle_writer.hpp) then writes the files.
#include <string>

#include "sim/brain_arrays.hpp"
#include "sim/brain/brain_build_options.hpp"
#include "sim/brain/brain_report.hpp"

namespace dtb::brain {

struct BrainBuild {
    sim::BrainArrays arrays;
    std::string model_yaml;
    BrainReport report;
};

/// Reads the inputs and builds the bundle in memory. Throws
/// std::runtime_error for bad input, naming the option/file and what is
/// allowed.
BrainBuild build_brain(const BrainBuildOptions& options);

} // namespace dtb::brain
