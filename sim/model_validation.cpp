// Defaults and semantic checks of a dtb.sim.v1.Model. The defaults are the
// values written in the comments of model.proto (docs/model_files.md lists
// them for users); every check names the field path and the allowed range.
#include "sim/model_validation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace dtb::sim {

namespace {

namespace pb = google::protobuf;

constexpr std::uint64_t max_population_size = std::uint64_t(1) << 40;
constexpr double max_scale = 1e6;
constexpr double max_dt_ms = 10.0;
constexpr double max_t_stop_ms = 1e9;
// Scaled connection counts must stay inside the range llround() can return.
constexpr double max_scaled_total = 4611686018427387904.0; // 2^62

const char* const receptor_names = "excitatory, inhibitory";

std::string format_number(double value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value < 0 ? "-inf" : "inf";
    // Shortest text that reads back as the same double: 0.1, not 0.1000000000000000055.
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item)
{
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string indexed(const std::string& field, std::size_t index)
{
    return field + "[" + std::to_string(index) + "]";
}

// Where a distribution is centred; its sign decides the default receptor.
std::optional<double> location(const v1::Distribution& distribution)
{
    const std::string& kind = distribution.kind();
    if (kind == "constant")
        return distribution.value();
    if (kind == "uniform")
        return (distribution.low() + distribution.high()) / 2;
    if (kind == "normal")
        return distribution.mean();
    if (kind == "gamma")
        return distribution.shape() / distribution.rate();
    return std::nullopt;
}

const v1::Population* find_population(const v1::Model& model, const std::string& name)
{
    for (const v1::Population& population : model.populations())
        if (population.name() == name)
            return &population;
    return nullptr;
}

void apply_iaf_psc_exp_defaults(v1::IafPscExp& neuron)
{
    if (!neuron.has_c_m())
        neuron.set_c_m(250.0);
    if (!neuron.has_tau_m())
        neuron.set_tau_m(10.0);
    if (!neuron.has_t_ref())
        neuron.set_t_ref(2.0);
    if (!neuron.has_e_l())
        neuron.set_e_l(-65.0);
    if (!neuron.has_v_th())
        neuron.set_v_th(-50.0);
    if (!neuron.has_v_reset())
        neuron.set_v_reset(-65.0);
    if (!neuron.has_tau_syn_ex())
        neuron.set_tau_syn_ex(0.5);
    if (!neuron.has_tau_syn_in())
        neuron.set_tau_syn_in(0.5);
    if (!neuron.has_i_e())
        neuron.set_i_e(0.0);
}

void apply_lif_dtb_defaults(v1::LifDtb& neuron)
{
    if (!neuron.has_c())
        neuron.set_c(0.5);
    if (!neuron.has_g_l())
        neuron.set_g_l(0.025);
    if (!neuron.has_v_l())
        neuron.set_v_l(-70.0);
    if (!neuron.has_v_th())
        neuron.set_v_th(-50.0);
    if (!neuron.has_v_reset())
        neuron.set_v_reset(-55.0);
    if (!neuron.has_t_ref())
        neuron.set_t_ref(2.0);
    if (!neuron.has_v_ampa())
        neuron.set_v_ampa(0.0);
    if (!neuron.has_v_nmda())
        neuron.set_v_nmda(0.0);
    if (!neuron.has_v_gaba_a())
        neuron.set_v_gaba_a(-70.0);
    if (!neuron.has_v_gaba_b())
        neuron.set_v_gaba_b(-100.0);
    if (!neuron.has_tau_ampa())
        neuron.set_tau_ampa(2.0);
    if (!neuron.has_tau_nmda())
        neuron.set_tau_nmda(40.0);
    if (!neuron.has_tau_gaba_a())
        neuron.set_tau_gaba_a(20.0);
    if (!neuron.has_tau_gaba_b())
        neuron.set_tau_gaba_b(50.0);
    if (!neuron.has_g_ampa())
        neuron.set_g_ampa(0.0016);
    if (!neuron.has_g_nmda())
        neuron.set_g_nmda(0.000324);
    if (!neuron.has_g_gaba_a())
        neuron.set_g_gaba_a(0.003672);
    if (!neuron.has_g_gaba_b())
        neuron.set_g_gaba_b(0.000756);
    if (!neuron.has_i_ext())
        neuron.set_i_ext(0.0);
    if (!neuron.has_g_gamma_shape())
        neuron.set_g_gamma_shape(5.0);
    if (!neuron.has_g_gamma_rate())
        neuron.set_g_gamma_rate(5.0);
}

void apply_population_defaults(v1::Population& population)
{
    double resting_mv = 0.0;
    if (population.has_iaf_psc_exp()) {
        apply_iaf_psc_exp_defaults(*population.mutable_iaf_psc_exp());
        resting_mv = population.iaf_psc_exp().e_l();
    } else if (population.has_lif_dtb()) {
        apply_lif_dtb_defaults(*population.mutable_lif_dtb());
        resting_mv = population.lif_dtb().v_l();
    } else {
        return; // validation reports the missing neuron model
    }
    // Only a v_init that is entirely absent is defaulted: `{value: -60}`
    // without a kind is a mistake that validation reports.
    if (!population.has_v_init() || population.v_init().ByteSizeLong() == 0) {
        v1::Distribution& v_init = *population.mutable_v_init();
        v_init.set_kind("constant");
        v_init.set_value(resting_mv);
    }
}

void check_scale(const v1::Model& model, const std::string& source_name)
{
    if (!model.has_scale())
        return;
    const double scale = model.scale();
    if (!std::isfinite(scale))
        throw ModelError(source_name, "scale", "must be a finite number, got " + format_number(scale));
    if (!(scale > 0.0 && scale <= max_scale))
        throw ModelError(source_name, "scale", "must be in (0, 1e6], got " + format_number(scale));
}

void apply_scale(v1::Model& model, const std::string& source_name)
{
    check_scale(model, source_name);
    const double scale = model.has_scale() ? model.scale() : 1.0;
    // Scaling by 1 is skipped, not multiplied: sizes above 2^53 would not
    // survive a round trip through double, and idempotence must be exact.
    if (scale != 1.0) {
        for (int i = 0; i < model.populations_size(); ++i) {
            v1::Population& population = *model.mutable_populations(i);
            // A missing size stays 0 so that validation reports it.
            if (population.size() == 0)
                continue;
            const double scaled = std::round(static_cast<double>(population.size()) * scale);
            if (scaled > static_cast<double>(max_population_size))
                throw ModelError(source_name, indexed("populations", i) + ".size",
                    "size " + std::to_string(population.size()) + " x scale " + format_number(scale) + " = "
                        + format_number(scaled) + " exceeds the maximum 1099511627776 (2^40)");
            population.set_size(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(scaled))));
        }
        for (int i = 0; i < model.projections_size(); ++i) {
            v1::Projection& projection = *model.mutable_projections(i);
            if (projection.rule() != "fixed_total_number")
                continue;
            const double scaled = std::round(static_cast<double>(projection.total()) * scale * scale);
            if (scaled > max_scaled_total)
                throw ModelError(source_name, indexed("projections", i) + ".total",
                    "total " + std::to_string(projection.total()) + " x scale^2 = " + format_number(scaled)
                        + " exceeds the maximum 2^62");
            projection.set_total(static_cast<std::uint64_t>(std::llround(scaled)));
        }
    }
    model.set_scale(1.0);
}

// Generic over the schema: every double or float anywhere in the message,
// so fields added later are covered without touching this file.
void check_all_finite(const pb::Message& message, const std::string& path, const std::string& source_name)
{
    const pb::Reflection& reflection = *message.GetReflection();
    std::vector<const pb::FieldDescriptor*> fields;
    reflection.ListFields(message, &fields);
    for (const pb::FieldDescriptor* field : fields) {
        const std::string field_path = path.empty() ? field->name() : path + "." + field->name();
        const auto check = [&](double value, const std::string& where) {
            if (!std::isfinite(value))
                throw ModelError(source_name, where, "must be a finite number, got " + format_number(value));
        };
        switch (field->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            if (field->is_repeated()) {
                for (int i = 0; i < reflection.FieldSize(message, field); ++i)
                    check(reflection.GetRepeatedDouble(message, field, i), indexed(field_path, i));
            } else {
                check(reflection.GetDouble(message, field), field_path);
            }
            break;
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
            if (field->is_repeated()) {
                for (int i = 0; i < reflection.FieldSize(message, field); ++i)
                    check(reflection.GetRepeatedFloat(message, field, i), indexed(field_path, i));
            } else {
                check(reflection.GetFloat(message, field), field_path);
            }
            break;
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            if (field->is_repeated()) {
                for (int i = 0; i < reflection.FieldSize(message, field); ++i)
                    check_all_finite(reflection.GetRepeatedMessage(message, field, i), indexed(field_path, i),
                        source_name);
            } else {
                check_all_finite(reflection.GetMessage(message, field), field_path, source_name);
            }
            break;
        default:
            break;
        }
    }
}

class ModelChecker {
public:
    ModelChecker(const v1::Model& model, std::string source_name)
        : model_(model)
        , source_name_(std::move(source_name))
    {
    }

    void check()
    {
        check_all_finite(model_, "", source_name_);
        check_simulation();
        check_scale(model_, source_name_);
        check_populations();
        // Queued synaptic events name their projection in 16 bits
        // (sim/synaptic_event_queue.hpp).
        if (model_.projections_size() > 65536)
            fail("projections", "at most 65536 projections, got " + std::to_string(model_.projections_size()));
        for (int i = 0; i < model_.projections_size(); ++i)
            check_projection(model_.projections(i), indexed("projections", i));
        for (int i = 0; i < model_.inputs_size(); ++i)
            check_input(model_.inputs(i), indexed("inputs", i));
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& message) const
    {
        throw ModelError(source_name_, path, message);
    }

    void require_positive(double value, const std::string& path) const
    {
        if (!(value > 0.0))
            fail(path, "must be > 0, got " + format_number(value));
    }

    void require_non_negative(double value, const std::string& path) const
    {
        if (!(value >= 0.0))
            fail(path, "must be >= 0, got " + format_number(value));
    }

    void check_simulation() const
    {
        const v1::Simulation& simulation = model_.simulation();
        const double dt = simulation.dt_ms();
        if (!(dt > 0.0 && dt <= max_dt_ms))
            fail("simulation.dt_ms", "must be in (0, 10] ms, got " + format_number(dt));
        const double t_stop = simulation.t_stop_ms();
        if (!(t_stop >= 0.0 && t_stop <= max_t_stop_ms))
            fail("simulation.t_stop_ms", "must be in [0, 1e9] ms, got " + format_number(t_stop));
        const double rate_bin = simulation.record().rate_bin_ms();
        if (!(rate_bin >= dt))
            fail("simulation.record.rate_bin_ms",
                "must be >= dt_ms (" + format_number(dt) + " ms), got " + format_number(rate_bin));
    }

    void check_populations()
    {
        if (model_.populations_size() == 0)
            fail("populations", "at least one population is required");
        if (!model_.brain().arrays().empty() && model_.populations_size() != 2)
            fail("populations", "a brain model has exactly two populations, excitatory then inhibitory, each "
                                "ordered by voxel (got " + std::to_string(model_.populations_size()) + ")");
        static const std::regex name_pattern("[A-Za-z0-9_.-]+");
        std::map<std::string, int> first_index;
        for (int i = 0; i < model_.populations_size(); ++i) {
            const v1::Population& population = model_.populations(i);
            const std::string path = indexed("populations", i);
            const std::string& name = population.name();
            if (name.empty())
                fail(path + ".name", "is required (letters, digits, '_', '.', '-')");
            // The name becomes an HDF5 group name: no '/', no spaces, and not
            // "." or "..", which HDF5 paths treat specially.
            if (!std::regex_match(name, name_pattern) || name == "." || name == "..")
                fail(path + ".name",
                    "'" + name + "' is not a valid name; use letters, digits, '_', '.', '-' (and not '.' or '..')");
            const auto [previous, inserted] = first_index.emplace(name, i);
            if (!inserted)
                fail(path + ".name",
                    "duplicate population name '" + name + "' (also " + indexed("populations", previous->second)
                        + ")");
            if (population.size() < 1 || population.size() > max_population_size)
                fail(path + ".size",
                    "must be in [1, 1099511627776] (2^40), got " + std::to_string(population.size()));
            if (population.has_iaf_psc_exp())
                check_iaf_psc_exp(population.iaf_psc_exp(), path + ".iaf_psc_exp");
            else if (population.has_lif_dtb())
                check_lif_dtb(population.lif_dtb(), path + ".lif_dtb");
            else
                fail(path, "a neuron model is required: set exactly one of iaf_psc_exp, lif_dtb");
            check_distribution(population.v_init(), path + ".v_init");
        }
    }

    void check_iaf_psc_exp(const v1::IafPscExp& neuron, const std::string& path) const
    {
        require_positive(neuron.c_m(), path + ".C_m");
        require_positive(neuron.tau_m(), path + ".tau_m");
        require_non_negative(neuron.t_ref(), path + ".t_ref");
        require_positive(neuron.tau_syn_ex(), path + ".tau_syn_ex");
        require_positive(neuron.tau_syn_in(), path + ".tau_syn_in");
        if (!(neuron.v_reset() < neuron.v_th()))
            fail(path + ".V_reset",
                "must be below V_th (" + format_number(neuron.v_th()) + " mV), got "
                    + format_number(neuron.v_reset()));
    }

    void check_lif_dtb(const v1::LifDtb& neuron, const std::string& path) const
    {
        require_positive(neuron.c(), path + ".C");
        require_positive(neuron.g_l(), path + ".g_L");
        require_non_negative(neuron.t_ref(), path + ".T_ref");
        require_positive(neuron.tau_ampa(), path + ".tau_ampa");
        require_positive(neuron.tau_nmda(), path + ".tau_nmda");
        require_positive(neuron.tau_gaba_a(), path + ".tau_gaba_a");
        require_positive(neuron.tau_gaba_b(), path + ".tau_gaba_b");
        require_non_negative(neuron.g_ampa(), path + ".g_ampa");
        require_non_negative(neuron.g_nmda(), path + ".g_nmda");
        require_non_negative(neuron.g_gaba_a(), path + ".g_gaba_a");
        require_non_negative(neuron.g_gaba_b(), path + ".g_gaba_b");
        if (!(neuron.v_reset() < neuron.v_th()))
            fail(path + ".V_reset",
                "must be below V_th (" + format_number(neuron.v_th()) + " mV), got "
                    + format_number(neuron.v_reset()));
        if (!(neuron.g_gamma_shape() >= 0.0))
            fail(path + ".g_gamma_shape",
                "must be >= 0 (0 switches heterogeneity off), got " + format_number(neuron.g_gamma_shape()));
        require_positive(neuron.g_gamma_rate(), path + ".g_gamma_rate");
    }

    // Kind, parameter ranges, and no parameters that the kind ignores.
    void check_distribution(const v1::Distribution& distribution, const std::string& path) const
    {
        static const std::map<std::string, std::vector<std::string>> parameters_of_kind = {
            { "constant", { "value" } },
            { "uniform", { "low", "high" } },
            { "normal", { "mean", "std" } },
            { "gamma", { "shape", "rate" } },
        };
        const std::string& kind = distribution.kind();
        if (kind.empty())
            fail(path + ".kind", "is required: one of constant, uniform, normal, gamma");
        const auto known = parameters_of_kind.find(kind);
        if (known == parameters_of_kind.end())
            fail(path + ".kind", "must be one of constant, uniform, normal, gamma, got '" + kind + "'");
        std::vector<const pb::FieldDescriptor*> fields;
        distribution.GetReflection()->ListFields(distribution, &fields);
        for (const pb::FieldDescriptor* field : fields) {
            if (field->name() != "kind" && !contains(known->second, field->name()))
                fail(path + "." + field->name(),
                    "is not a parameter of a " + kind + " distribution (it takes: " + join(known->second) + ")");
        }
        if (kind == "uniform" && !(distribution.low() <= distribution.high()))
            fail(path + ".high",
                "must be >= low (" + format_number(distribution.low()) + "), got "
                    + format_number(distribution.high()));
        if (kind == "normal")
            require_non_negative(distribution.std(), path + ".std");
        if (kind == "gamma") {
            require_positive(distribution.shape(), path + ".shape");
            require_positive(distribution.rate(), path + ".rate");
        }
    }

    const v1::Population& require_population(const std::string& name, const std::string& path) const
    {
        if (const v1::Population* population = find_population(model_, name))
            return *population;
        std::vector<std::string> names;
        for (const v1::Population& population : model_.populations())
            names.push_back(population.name());
        if (name.empty())
            fail(path, "is required: the name of a population; populations are: " + join(names));
        fail(path, "unknown population '" + name + "'; populations are: " + join(names));
    }

    void check_receptor(const std::string& receptor, const std::string& path) const
    {
        if (receptor != "excitatory" && receptor != "inhibitory")
            fail(path, "must be one of " + std::string(receptor_names) + ", got '" + receptor + "'");
    }

    // iaf_psc_exp has one current per sign: excitatory weights are >= 0,
    // inhibitory <= 0, and one projection cannot be both.
    void check_weight_sign_iaf(const v1::Distribution& weight, const std::string& receptor,
        const std::string& path) const
    {
        const std::string& kind = weight.kind();
        if (kind == "uniform" && weight.low() < 0.0 && weight.high() > 0.0)
            fail(path,
                "uniform weight [" + format_number(weight.low()) + ", " + format_number(weight.high())
                    + ") straddles zero; a projection is either excitatory (weights >= 0) or inhibitory "
                      "(weights <= 0)");
        const bool excitatory = receptor == "excitatory";
        const auto wrong_sign = [&](double value, const std::string& where) {
            if (excitatory ? value < 0.0 : value > 0.0)
                fail(where,
                    "weight " + format_number(value) + " has the wrong sign for receptor '" + receptor
                        + "' (excitatory weights must be >= 0, inhibitory weights <= 0)");
        };
        if (kind == "constant")
            wrong_sign(weight.value(), path);
        else if (kind == "uniform")
            wrong_sign(excitatory ? weight.low() : weight.high(), path + (excitatory ? ".low" : ".high"));
        else if (kind == "normal")
            wrong_sign(weight.mean(), path + ".mean");
        else if (kind == "gamma" && !excitatory)
            fail(path, "a gamma distribution is positive, so it cannot be an inhibitory weight (<= 0)");
    }

    // lif_dtb weights are dimensionless channel strengths; the receptor picks
    // the (excitatory or inhibitory) channels, so the weight itself is >= 0.
    void check_weight_sign_lif_dtb(const v1::Distribution& weight, const std::string& path) const
    {
        const auto negative = [&](double value, const std::string& where) {
            if (value < 0.0)
                fail(where,
                    "must be >= 0 for a lif_dtb target (the receptor selects the channel), got "
                        + format_number(value));
        };
        if (weight.kind() == "constant")
            negative(weight.value(), path);
        else if (weight.kind() == "uniform")
            negative(weight.low(), path + ".low");
        else if (weight.kind() == "normal")
            negative(weight.mean(), path + ".mean");
    }

    void check_projection(const v1::Projection& projection, const std::string& path) const
    {
        const v1::Population& source = require_population(projection.source(), path + ".source");
        const v1::Population& target = require_population(projection.target(), path + ".target");
        const std::string& rule = projection.rule();
        const char* rule_names = "fixed_indegree, fixed_total_number, pairwise_bernoulli, voxel_local, voxel_dti";
        if (rule.empty())
            fail(path + ".rule", std::string("is required: one of ") + rule_names);
        const bool voxel_rule = rule == "voxel_local" || rule == "voxel_dti";
        if (rule != "fixed_indegree" && rule != "fixed_total_number" && rule != "pairwise_bernoulli" && !voxel_rule)
            fail(path + ".rule", std::string("must be one of ") + rule_names + ", got '" + rule + "'");
        if (voxel_rule && model_.brain().arrays().empty())
            fail(path + ".rule", "'" + rule + "' needs a brain model: set brain.arrays to the model's HDF5 arrays");
        if (voxel_rule && !(projection.fraction() > 0.0 && projection.fraction() <= 1.0))
            fail(path + ".fraction", "must be in (0, 1] for rule " + rule + ", got " + format_number(projection.fraction()));
        if (!voxel_rule && projection.fraction() != 0.0)
            fail(path + ".fraction", "is used only by rules voxel_local and voxel_dti (this rule is " + rule + ")");
        // A count meant for another rule is a mistake (e.g. `indegree` with
        // pairwise_bernoulli), not something to ignore silently.
        if (rule != "fixed_indegree" && projection.indegree() != 0)
            fail(path + ".indegree", "is used only by rule fixed_indegree (this rule is " + rule + ")");
        if (rule != "fixed_total_number" && projection.total() != 0)
            fail(path + ".total", "is used only by rule fixed_total_number (this rule is " + rule + ")");
        if (rule != "pairwise_bernoulli" && projection.p() != 0.0)
            fail(path + ".p", "is used only by rule pairwise_bernoulli (this rule is " + rule + ")");
        if (rule == "fixed_indegree") {
            const bool self = projection.source() == projection.target();
            const bool autapses = projection.allow_autapses();
            const std::uint64_t available = source.size() - ((self && !autapses) ? 1 : 0);
            if (projection.indegree() < 1 || projection.indegree() > available)
                fail(path + ".indegree",
                    "must be in [1, " + std::to_string(available) + "] (the sources available: population '"
                        + source.name() + "' has " + std::to_string(source.size()) + " neurons"
                        + ((self && !autapses) ? ", minus 1 because autapses are off" : "") + "), got "
                        + std::to_string(projection.indegree()));
        }
        if (rule == "pairwise_bernoulli" && !(projection.p() >= 0.0 && projection.p() <= 1.0))
            fail(path + ".p", "must be in [0, 1], got " + format_number(projection.p()));

        const v1::Distribution& weight = projection.weight();
        if (!projection.has_weight() || weight.ByteSizeLong() == 0)
            fail(path + ".weight", "is required (a number, or a distribution: constant, uniform, normal, gamma)");
        check_distribution(weight, path + ".weight");

        const std::string& receptor = projection.receptor();
        if (receptor.empty() && target.has_lif_dtb())
            fail(path + ".receptor",
                "is required for a lif_dtb target ('" + target.name() + "'): one of " + receptor_names);
        check_receptor(receptor, path + ".receptor");
        if (target.has_iaf_psc_exp())
            check_weight_sign_iaf(weight, receptor, path + ".weight");
        else if (target.has_lif_dtb())
            check_weight_sign_lif_dtb(weight, path + ".weight");

        check_delay(projection.delay_ms(), projection.has_delay_ms(), path + ".delay_ms");
    }

    void check_delay(const v1::Distribution& delay, bool has_delay, const std::string& path) const
    {
        if (!has_delay || delay.ByteSizeLong() == 0)
            fail(path, "is required (ms, >= dt; a number, or a distribution: constant, uniform, normal)");
        check_distribution(delay, path);
        const double dt = model_.simulation().dt_ms();
        const auto below_dt = [&](double value, const std::string& where) {
            if (value < dt)
                fail(where,
                    "delay " + format_number(value) + " ms is below dt = " + format_number(dt)
                        + " ms (delays must be >= dt)");
        };
        if (delay.kind() == "constant")
            below_dt(delay.value(), path);
        else if (delay.kind() == "uniform")
            below_dt(delay.low(), path + ".low");
        else if (delay.kind() == "normal")
            below_dt(delay.mean(), path + ".mean"); // the engine truncates draws at dt
        else if (delay.kind() == "gamma")
            fail(path + ".kind", "gamma is not allowed for delays; use constant, uniform or normal");
    }

    void check_input(const v1::Input& input, const std::string& path) const
    {
        static const std::map<std::string, std::vector<std::string>> fields_of_kind = {
            { "poisson", { "rate_hz", "count", "weight" } },
            { "dc", { "amplitude" } },
            { "ou", { "mean", "std", "tau_ms" } },
        };
        static const std::vector<std::string> common_fields = { "name", "targets", "kind", "receptor" };
        const std::string& kind = input.kind();
        if (kind.empty())
            fail(path + ".kind", "is required: one of poisson, dc, ou");
        const auto known = fields_of_kind.find(kind);
        if (known == fields_of_kind.end())
            fail(path + ".kind", "must be one of poisson, dc, ou, got '" + kind + "'");
        std::vector<const pb::FieldDescriptor*> fields;
        input.GetReflection()->ListFields(input, &fields);
        for (const pb::FieldDescriptor* field : fields) {
            if (!contains(common_fields, field->name()) && !contains(known->second, field->name()))
                fail(path + "." + field->name(),
                    "is not used by a " + kind + " input (it takes: " + join(known->second) + ")");
        }

        if (input.targets_size() == 0)
            fail(path + ".targets", "at least one target population is required");
        std::vector<const v1::Population*> targets;
        std::set<std::string> seen;
        for (int j = 0; j < input.targets_size(); ++j) {
            const std::string target_path = indexed(path + ".targets", j);
            targets.push_back(&require_population(input.targets(j), target_path));
            if (!seen.insert(input.targets(j)).second)
                fail(target_path, "population '" + input.targets(j) + "' is listed twice");
        }

        if (kind == "poisson") {
            require_non_negative(input.rate_hz(), path + ".rate_hz");
            if (input.count() < 1)
                fail(path + ".count",
                    "must be >= 1 (generators per target neuron), got " + std::to_string(input.count()));
            check_receptor(input.receptor(), path + ".receptor");
            v1::Distribution weight;
            weight.set_kind("constant");
            weight.set_value(input.weight());
            for (const v1::Population* target : targets) {
                if (target->has_iaf_psc_exp())
                    check_weight_sign_iaf(weight, input.receptor(), path + ".weight");
                else if (target->has_lif_dtb())
                    check_weight_sign_lif_dtb(weight, path + ".weight");
            }
        } else if (kind == "ou") {
            require_non_negative(input.std(), path + ".std");
            require_positive(input.tau_ms(), path + ".tau_ms");
        }
    }

    const v1::Model& model_;
    std::string source_name_;
};

} // namespace

void apply_model_defaults(v1::Model& model, const std::string& source_name)
{
    v1::Simulation& simulation = *model.mutable_simulation();
    if (!simulation.has_dt_ms())
        simulation.set_dt_ms(0.1);
    if (!simulation.has_t_stop_ms())
        simulation.set_t_stop_ms(1000.0);
    if (!simulation.has_seed())
        simulation.set_seed(1);
    v1::Recording& record = *simulation.mutable_record();
    if (!record.has_spikes())
        record.set_spikes(true);
    if (!record.has_rate_bin_ms())
        record.set_rate_bin_ms(1.0);

    apply_scale(model, source_name);

    for (v1::Population& population : *model.mutable_populations())
        apply_population_defaults(population);

    for (v1::Projection& projection : *model.mutable_projections()) {
        if (!projection.has_allow_autapses())
            projection.set_allow_autapses(projection.rule() == "fixed_total_number");
        if (!projection.receptor().empty())
            continue;
        // iaf_psc_exp has one synaptic current per sign, so the sign of the
        // weight says which; lif_dtb targets must name the receptor.
        const v1::Population* target = find_population(model, projection.target());
        const std::optional<double> centre = location(projection.weight());
        if (target != nullptr && target->has_iaf_psc_exp() && centre)
            projection.set_receptor(*centre >= 0.0 ? "excitatory" : "inhibitory");
    }

    for (v1::Input& input : *model.mutable_inputs())
        if (input.receptor().empty())
            input.set_receptor("excitatory");
}

void validate_model(const v1::Model& model, const std::string& source_name)
{
    ModelChecker(model, source_name).check();
}

} // namespace dtb::sim
