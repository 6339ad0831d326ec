#include "service/server/job_spec_validation.hpp"

#include <cmath>
#include <regex>

#include "sim/brain/brain_build_options.hpp"
#include "sim/model_validation.hpp"

namespace dtb::service {

namespace {

constexpr int max_labels = 32;
constexpr std::size_t max_label_value_bytes = 256;
constexpr std::size_t max_model_name_bytes = 256;
constexpr std::uint64_t max_assimilation_members = 100000;

void validate_model(const sim::v1::Model& submitted)
{
    const std::string prefix = "spec.simulation.model";
    sim::v1::Model model = submitted;
    try {
        sim::apply_model_defaults(model, prefix);
        sim::validate_model(model, prefix);
    } catch (const sim::ModelError& e) {
        throw SpecError(e.field_path().empty() ? prefix : prefix + "." + e.field_path(), e.message());
    } catch (const std::exception& e) {
        throw SpecError(prefix, e.what());
    }
}

void validate_resources(const v1::Resources& resources, const SpecLimits& limits)
{
    if (static_cast<std::int64_t>(resources.ranks()) > limits.max_ranks)
        throw SpecError("spec.resources.ranks",
            std::to_string(resources.ranks()) + " ranks asked for; this server runs at most "
                + std::to_string(limits.max_ranks) + " ranks (its --max-ranks)");
    if (resources.has_time_limit()) {
        const auto& limit = resources.time_limit();
        if (limit.seconds() < 0 || limit.nanos() < 0 || limit.nanos() >= 1000000000)
            throw SpecError("spec.resources.time_limit", "must be a non-negative duration");
        if (limit.seconds() > limits.max_time_limit.count())
            throw SpecError("spec.resources.time_limit",
                std::to_string(limit.seconds()) + " s is over this server's maximum of "
                    + std::to_string(limits.max_time_limit.count()) + " s (its --max-time-limit)");
    }
}

void validate_labels(const google::protobuf::Map<std::string, std::string>& labels)
{
    static const std::regex key_pattern(R"([A-Za-z0-9._-]{1,63})");
    if (labels.size() > max_labels)
        throw SpecError("spec.labels", std::to_string(labels.size()) + " labels; at most "
            + std::to_string(max_labels) + " are allowed");
    for (const auto& [key, value] : labels) {
        if (!std::regex_match(key, key_pattern))
            throw SpecError("spec.labels", "label key '" + key.substr(0, 80)
                + "' must be 1-63 characters of letters, digits, '.', '_' and '-'");
        if (value.size() > max_label_value_bytes)
            throw SpecError("spec.labels[" + key + "]", "the value has " + std::to_string(value.size())
                + " bytes; at most " + std::to_string(max_label_value_bytes) + " are allowed");
    }
}

void validate_simulation(const v1::SimulationJob& simulation)
{
    if (!simulation.has_model())
        throw SpecError("spec.simulation.model", "required: the dtb.sim.v1.Model to simulate");
    validate_model(simulation.model());
    if (!std::isfinite(simulation.warmup_ms()) || simulation.warmup_ms() < 0)
        throw SpecError("spec.simulation.warmup_ms", "must be a finite number >= 0");
}

// The field of BrainBuildJob that a `dtb build-brain` option comes from:
// "--in-degree" -> "in_degree".
std::string brain_build_field(const std::string& option)
{
    std::string field = option.rfind("--", 0) == 0 ? option.substr(2) : option;
    for (char& c : field)
        if (c == '-')
            c = '_';
    return "spec.brain_build." + field;
}

void validate_brain_build(const v1::BrainBuildJob& build, const v1::Resources& resources)
{
    if (resources.ranks() > 1)
        throw SpecError("spec.resources.ranks",
            std::to_string(resources.ranks()) + " ranks asked for; a brain build runs as one process (0 or 1)");
    if (build.regions() && build.has_voxel_mm())
        throw SpecError("spec.brain_build.voxel_mm", "not allowed together with regions (one voxel per region)");
    if (build.name().size() > max_model_name_bytes)
        throw SpecError("spec.brain_build.name", "at most " + std::to_string(max_model_name_bytes) + " bytes");
    for (const char c : build.name())
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw SpecError("spec.brain_build.name", "must not contain control characters");
    // The ranges of `dtb build-brain`, from the same check the builder runs.
    brain::BrainBuildOptions options;
    options.atlas_path = build.atlas();
    options.neurons = build.neurons();
    if (build.has_in_degree())
        options.in_degree = build.in_degree();
    if (build.has_voxel_mm())
        options.voxel_mm = build.voxel_mm();
    options.regions = build.regions();
    if (build.has_velocity())
        options.velocity_m_per_s = build.velocity();
    if (build.has_lambda())
        options.lambda_per_mm = build.lambda();
    if (build.has_max_sources())
        options.max_sources = build.max_sources();
    try {
        brain::check_brain_build_options(options);
    } catch (const brain::BrainOptionError& e) {
        throw SpecError(brain_build_field(e.option()), e.message());
    }
}

void validate_assimilation(const v1::AssimilationJob& assimilation)
{
    const std::string prefix = "spec.assimilation.config";
    if (!assimilation.has_config())
        throw SpecError(prefix, "required: the dtb.assimilation.v1.Config to run");
    const auto& config = assimilation.config();
    if (config.model().empty())
        throw SpecError(prefix + ".model", "required: the brain model (an input reference to a bundle's model.yaml)");
    if (config.estimate().empty())
        throw SpecError(prefix + ".estimate", "required: at least one hyperparameter to estimate");
    if (config.has_members() && (config.members() < 2 || config.members() > max_assimilation_members))
        throw SpecError(prefix + ".members",
            std::to_string(config.members()) + " is out of range; allowed: [2, "
                + std::to_string(max_assimilation_members) + "]");
    if (config.bold().empty() && config.trs() == 0)
        throw SpecError(prefix + ".trs", "required for a twin experiment (no bold): the TRs to simulate");
}

} // namespace

void validate_job_spec(const v1::JobSpec& spec, const SpecLimits& limits)
{
    switch (spec.kind_case()) {
    case v1::JobSpec::kSimulation:
        validate_simulation(spec.simulation());
        break;
    case v1::JobSpec::kBrainBuild:
        validate_brain_build(spec.brain_build(), spec.resources());
        break;
    case v1::JobSpec::kAssimilation:
        validate_assimilation(spec.assimilation());
        break;
    default:
        throw SpecError("spec", "required: one of simulation, brain_build, assimilation");
    }
    validate_resources(spec.resources(), limits);
    validate_labels(spec.labels());
}

} // namespace dtb::service
