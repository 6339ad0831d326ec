#pragma once
// The options of `dtb build-brain` and their allowed ranges. Kept apart from
// the builder (and its NIfTI/HDF5 dependencies) so that dtb-server checks a
// submitted brain-build job with exactly the rules the builder applies.
#include <cstdint>
#include <stdexcept>
#include <string>

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

/// Allowed ranges, checked by check_brain_build_options (one message per option).
struct BrainOptionLimits {
    static constexpr std::uint64_t max_neurons = std::uint64_t(1) << 40;
    static constexpr std::uint32_t max_in_degree = 10000;
    static constexpr double max_voxel_mm = 100;
    static constexpr double max_velocity = 100;
    static constexpr double max_lambda = 10;
    static constexpr std::uint32_t max_max_sources = 1000000;
    static constexpr std::uint32_t max_ranks = 1000000;
};

/// An option out of its range: `option()` is the command-line name
/// ("--neurons"), what() the whole message ("--neurons: 1 is out of range;
/// allowed: [2, 2^40]").
class BrainOptionError : public std::runtime_error {
public:
    BrainOptionError(std::string option, std::string message)
        : std::runtime_error(option + ": " + message)
        , option_(std::move(option))
        , message_(std::move(message))
    {
    }
    const std::string& option() const { return option_; }
    const std::string& message() const { return message_; }

private:
    std::string option_;
    std::string message_;
};

/// Checks the ranges of the options (not the files); throws BrainOptionError.
void check_brain_build_options(const BrainBuildOptions& options);

} // namespace dtb::brain
