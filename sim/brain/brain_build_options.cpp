#include "sim/brain/brain_build_options.hpp"

#include <cstdio>

namespace dtb::brain {

namespace {

[[noreturn]] void bad_option(const std::string& option, const std::string& value, const std::string& allowed)
{
    throw BrainOptionError(option, value + " is out of range; allowed: " + allowed);
}

std::string number_text(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

} // namespace

void check_brain_build_options(const BrainBuildOptions& o)
{
    using L = BrainOptionLimits;
    if (o.atlas_path.empty())
        throw BrainOptionError("--atlas", "required (a NIfTI label image, .nii or .nii.gz)");
    if (o.neurons < 2 || o.neurons > L::max_neurons)
        bad_option("--neurons", std::to_string(o.neurons), "[2, 2^40]");
    if (o.in_degree < 1 || o.in_degree > L::max_in_degree)
        bad_option("--in-degree", std::to_string(o.in_degree), "[1, " + std::to_string(L::max_in_degree) + "]");
    if (!o.regions && !(o.voxel_mm > 0 && o.voxel_mm <= L::max_voxel_mm))
        bad_option("--voxel-mm", number_text(o.voxel_mm), "(0, " + number_text(L::max_voxel_mm) + "] mm");
    if (!(o.velocity_m_per_s > 0 && o.velocity_m_per_s <= L::max_velocity))
        bad_option("--velocity", number_text(o.velocity_m_per_s), "(0, " + number_text(L::max_velocity) + "] m/s");
    if (!(o.lambda_per_mm >= 0 && o.lambda_per_mm <= L::max_lambda))
        bad_option("--lambda", number_text(o.lambda_per_mm), "[0, " + number_text(L::max_lambda) + "] per mm");
    if (o.max_sources < 1 || o.max_sources > L::max_max_sources)
        bad_option("--max-sources", std::to_string(o.max_sources), "[1, " + std::to_string(L::max_max_sources) + "]");
    if (o.ranks < 1 || o.ranks > L::max_ranks)
        bad_option("--ranks", std::to_string(o.ranks), "[1, " + std::to_string(L::max_ranks) + "]");
}

} // namespace dtb::brain
