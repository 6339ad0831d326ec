#include "service/server/job_spec_validation.hpp"

#include <cmath>
#include <regex>

#include "sim/model_validation.hpp"

namespace dtb::service {

namespace {

constexpr int max_labels = 32;
constexpr std::size_t max_label_value_bytes = 256;

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

} // namespace

void validate_simulation_spec(const v1::JobSpec& spec, const SpecLimits& limits)
{
    const auto& simulation = spec.simulation();
    if (!simulation.has_model())
        throw SpecError("spec.simulation.model", "required: the dtb.sim.v1.Model to simulate");
    validate_model(simulation.model());
    if (!std::isfinite(simulation.warmup_ms()) || simulation.warmup_ms() < 0)
        throw SpecError("spec.simulation.warmup_ms", "must be a finite number >= 0");
    validate_resources(spec.resources(), limits);
    validate_labels(spec.labels());
}

} // namespace dtb::service
