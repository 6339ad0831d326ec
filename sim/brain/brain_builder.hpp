#pragma once
// `dtb build-brain`: imaging data to a model bundle (docs/brain_bundle.md).
// build_brain does all the work in memory and writes nothing;
// write_brain_bundle (brain_bundle_writer.hpp) then writes the files.
#include <cstdint>
#include <string>

#include "sim/brain_arrays.hpp"
#include "sim/brain/brain_report.hpp"

namespace dtb::brain {

struct BrainBuildOptions {
    std::string atlas_path;          // NIfTI labels (required)
    std::string grey_matter_path;    // optional NIfTI grey-matter map
    std::string density_path;        // optional NIfTI synaptic-density (PET) map
    std::string connectivity_path;   // optional TVB directory / .csv / .h5; none: EDR stand-in
    std::uint64_t neurons = 0;       // total neurons (required)
    std::uint32_t in_degree = 100;   // mean in-degree K
    double voxel_mm = 6;             // voxel edge, unless `regions`
    bool regions = false;            // one "voxel" per atlas label
    double velocity_m_per_s = 3.0;   // conduction velocity (TVB default)
    double lambda_per_mm = 0.1;      // EDR decay
    std::uint32_t max_sources = 200; // connectivity entries kept per voxel
    std::uint32_t ranks = 1;         // for the memory estimate
    std::string model_name;          // default "brain_<atlas file stem>"
};

/// Allowed ranges, checked by build_brain (one message per option).
struct BrainOptionLimits {
    static constexpr std::uint64_t max_neurons = std::uint64_t(1) << 40;
    static constexpr std::uint32_t max_in_degree = 10000;
    static constexpr double max_voxel_mm = 100;
    static constexpr double max_velocity = 100;
    static constexpr double max_lambda = 10;
    static constexpr std::uint32_t max_max_sources = 1000000;
    static constexpr std::uint32_t max_ranks = 1000000;
};

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
