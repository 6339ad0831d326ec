// Defaults (apply_model_defaults) and semantic checks (validate_model): each
// bad model is one clear ModelError naming the field path and the range.
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include "sim/model_loader.hpp"
#include "sim/model_validation.hpp"

namespace {

using dtb::sim::apply_model_defaults;
using dtb::sim::ModelError;
using dtb::sim::parse_model_text;
using dtb::sim::validate_model;
namespace v1 = dtb::sim::v1;
using google::protobuf::util::MessageDifferencer;

const char* const source_name = "net.yaml";
const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

// A small valid model touching every message: E and I are iaf_psc_exp, L is
// lif_dtb; projections and inputs of every rule and kind.
const std::string valid_yaml = R"(
name: valid
populations:
  - {name: E, size: 100, iaf_psc_exp: {}}
  - {name: I, size: 25, iaf_psc_exp: {}}
  - {name: L, size: 10, lif_dtb: {}}
projections:
  - {source: E, target: I, rule: fixed_indegree, indegree: 10, weight: 20, delay_ms: 1.5}
  - {source: I, target: E, rule: fixed_total_number, total: 500,
     weight: {kind: normal, mean: -80, std: 8}, delay_ms: {kind: uniform, low: 0.5, high: 1}}
  - {source: E, target: L, rule: pairwise_bernoulli, p: 0.1, weight: 1, delay_ms: 1,
     receptor: excitatory}
inputs:
  - {name: drive, targets: [E, I], kind: poisson, rate_hz: 8, count: 100, weight: 20}
  - {name: bias, targets: [L], kind: dc, amplitude: -0.1}
  - {name: noise, targets: [L], kind: ou, mean: 0.1, std: 0.05, tau_ms: 5}
)";

v1::Model parse(const std::string& text)
{
    return parse_model_text(text, source_name);
}

v1::Model valid_model()
{
    v1::Model model = parse(valid_yaml);
    apply_model_defaults(model, source_name);
    return model;
}

void expect_error(const std::function<void()>& action, const std::string& field_path, const std::string& fragment)
{
    try {
        action();
        ADD_FAILURE() << "no ModelError; expected one at " << field_path;
    } catch (const ModelError& error) {
        EXPECT_EQ(error.file(), source_name);
        EXPECT_EQ(error.field_path(), field_path) << error.what();
        EXPECT_NE(error.message().find(fragment), std::string::npos)
            << "message: " << error.message() << "\nexpected fragment: " << fragment;
    }
}

// Applies `change` to the valid model and expects validation to fail there.
void expect_invalid(const std::function<void(v1::Model&)>& change, const std::string& field_path,
    const std::string& fragment)
{
    v1::Model model = valid_model();
    change(model);
    expect_error([&] { validate_model(model, source_name); }, field_path, fragment);
}

// Parses `yaml`, applies defaults and validates: for cases that are easiest
// to write as a file.
void expect_invalid_text(const std::string& yaml, const std::string& field_path, const std::string& fragment)
{
    SCOPED_TRACE(yaml);
    expect_error(
        [&] {
            v1::Model model = parse(yaml);
            apply_model_defaults(model, source_name);
            validate_model(model, source_name);
        },
        field_path, fragment);
}

v1::Model validated(v1::Model model)
{
    validate_model(model, source_name);
    return model;
}

// ---------------------------------------------------------------- defaults

TEST(ModelDefaults, ValidModelPasses)
{
    EXPECT_NO_THROW(validate_model(valid_model(), source_name));
}

TEST(ModelDefaults, SimulationDefaults)
{
    v1::Model model = parse("populations: [{name: E, size: 1, iaf_psc_exp: {}}]");
    apply_model_defaults(model, source_name);
    const v1::Simulation& simulation = model.simulation();
    EXPECT_TRUE(simulation.has_dt_ms());
    EXPECT_DOUBLE_EQ(simulation.dt_ms(), 0.1);
    EXPECT_DOUBLE_EQ(simulation.t_stop_ms(), 1000.0);
    EXPECT_TRUE(simulation.has_seed());
    EXPECT_EQ(simulation.seed(), 1u);
    EXPECT_TRUE(simulation.record().has_spikes());
    EXPECT_TRUE(simulation.record().spikes());
    EXPECT_DOUBLE_EQ(simulation.record().rate_bin_ms(), 1.0);
    EXPECT_TRUE(model.has_scale());
    EXPECT_DOUBLE_EQ(model.scale(), 1.0);
}

TEST(ModelDefaults, GivenValuesAreKept)
{
    v1::Model model = parse(
        "simulation: {dt_ms: 0.25, seed: 0, record: {spikes: false}}\npopulations: [{name: E, size: 1, "
        "iaf_psc_exp: {C_m: 0.5, I_e: 0}}]");
    apply_model_defaults(model, source_name);
    EXPECT_DOUBLE_EQ(model.simulation().dt_ms(), 0.25);
    EXPECT_EQ(model.simulation().seed(), 0u) << "an explicit 0 is not 'unset'";
    EXPECT_FALSE(model.simulation().record().spikes());
    EXPECT_DOUBLE_EQ(model.populations(0).iaf_psc_exp().c_m(), 0.5);
}

TEST(ModelDefaults, IafPscExpDefaultsAndVInit)
{
    v1::Model model = parse("populations: [{name: E, size: 1, iaf_psc_exp: {E_L: -70}}]");
    apply_model_defaults(model, source_name);
    const v1::IafPscExp& neuron = model.populations(0).iaf_psc_exp();
    EXPECT_DOUBLE_EQ(neuron.c_m(), 250.0);
    EXPECT_DOUBLE_EQ(neuron.tau_m(), 10.0);
    EXPECT_DOUBLE_EQ(neuron.t_ref(), 2.0);
    EXPECT_DOUBLE_EQ(neuron.e_l(), -70.0);
    EXPECT_DOUBLE_EQ(neuron.v_th(), -50.0);
    EXPECT_DOUBLE_EQ(neuron.v_reset(), -65.0);
    EXPECT_DOUBLE_EQ(neuron.tau_syn_ex(), 0.5);
    EXPECT_DOUBLE_EQ(neuron.tau_syn_in(), 0.5);
    EXPECT_TRUE(neuron.has_i_e());
    EXPECT_DOUBLE_EQ(neuron.i_e(), 0.0);
    EXPECT_EQ(model.populations(0).v_init().kind(), "constant");
    EXPECT_DOUBLE_EQ(model.populations(0).v_init().value(), -70.0) << "v_init defaults to E_L";
}

TEST(ModelDefaults, LifDtbDefaultsAndVInit)
{
    v1::Model model = parse("populations: [{name: L, size: 1, lif_dtb: {}}]");
    apply_model_defaults(model, source_name);
    const v1::LifDtb& neuron = model.populations(0).lif_dtb();
    EXPECT_DOUBLE_EQ(neuron.c(), 0.5);
    EXPECT_DOUBLE_EQ(neuron.g_l(), 0.025);
    EXPECT_DOUBLE_EQ(neuron.v_l(), -70.0);
    EXPECT_DOUBLE_EQ(neuron.v_th(), -50.0);
    EXPECT_DOUBLE_EQ(neuron.v_reset(), -55.0);
    EXPECT_DOUBLE_EQ(neuron.t_ref(), 2.0);
    EXPECT_DOUBLE_EQ(neuron.v_ampa(), 0.0);
    EXPECT_DOUBLE_EQ(neuron.v_nmda(), 0.0);
    EXPECT_DOUBLE_EQ(neuron.v_gaba_a(), -70.0);
    EXPECT_DOUBLE_EQ(neuron.v_gaba_b(), -100.0);
    EXPECT_DOUBLE_EQ(neuron.tau_ampa(), 2.0);
    EXPECT_DOUBLE_EQ(neuron.tau_nmda(), 40.0);
    EXPECT_DOUBLE_EQ(neuron.tau_gaba_a(), 20.0);
    EXPECT_DOUBLE_EQ(neuron.tau_gaba_b(), 50.0);
    EXPECT_DOUBLE_EQ(neuron.g_ampa(), 0.0016);
    EXPECT_DOUBLE_EQ(neuron.g_nmda(), 0.000324);
    EXPECT_DOUBLE_EQ(neuron.g_gaba_a(), 0.003672);
    EXPECT_DOUBLE_EQ(neuron.g_gaba_b(), 0.000756);
    EXPECT_DOUBLE_EQ(neuron.i_ext(), 0.0);
    EXPECT_DOUBLE_EQ(neuron.g_gamma_shape(), 5.0);
    EXPECT_DOUBLE_EQ(neuron.g_gamma_rate(), 5.0);
    EXPECT_EQ(model.populations(0).v_init().kind(), "constant");
    EXPECT_DOUBLE_EQ(model.populations(0).v_init().value(), -70.0) << "v_init defaults to V_L";
}

TEST(ModelDefaults, GivenVInitIsKept)
{
    v1::Model model = parse("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: normal, mean: -60, std: 2}}]");
    apply_model_defaults(model, source_name);
    EXPECT_EQ(model.populations(0).v_init().kind(), "normal");
    EXPECT_DOUBLE_EQ(model.populations(0).v_init().mean(), -60.0);
}

TEST(ModelDefaults, AutapsesByRule)
{
    const v1::Model model = valid_model();
    EXPECT_TRUE(model.projections(0).has_allow_autapses());
    EXPECT_FALSE(model.projections(0).allow_autapses()) << "fixed_indegree";
    EXPECT_TRUE(model.projections(1).allow_autapses()) << "fixed_total_number";
    EXPECT_FALSE(model.projections(2).allow_autapses()) << "pairwise_bernoulli";

    v1::Model explicit_model = parse(
        "populations: [{name: E, size: 5, iaf_psc_exp: {}}]\nprojections: [{source: E, target: E, rule: "
        "fixed_total_number, total: 3, allow_autapses: false, weight: 1, delay_ms: 1}]");
    apply_model_defaults(explicit_model, source_name);
    EXPECT_FALSE(explicit_model.projections(0).allow_autapses());
}

TEST(ModelDefaults, ReceptorFollowsTheWeightSignForIafPscExpTargets)
{
    v1::Model model = parse(R"(
populations:
  - {name: E, size: 5, iaf_psc_exp: {}}
  - {name: L, size: 5, lif_dtb: {}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: 0, delay_ms: 1}
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: -3, delay_ms: 1}
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: {kind: uniform, low: -3, high: -1}, delay_ms: 1}
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: {kind: normal, mean: 5, std: 9}, delay_ms: 1}
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: -3, receptor: excitatory, delay_ms: 1}
  - {source: E, target: L, rule: fixed_indegree, indegree: 1, weight: 1, delay_ms: 1}
inputs:
  - {targets: [E], kind: poisson, rate_hz: 1, count: 1, weight: -5}
)");
    apply_model_defaults(model, source_name);
    EXPECT_EQ(model.projections(0).receptor(), "excitatory") << "zero counts as excitatory";
    EXPECT_EQ(model.projections(1).receptor(), "inhibitory");
    EXPECT_EQ(model.projections(2).receptor(), "inhibitory");
    EXPECT_EQ(model.projections(3).receptor(), "excitatory");
    EXPECT_EQ(model.projections(4).receptor(), "excitatory") << "a given receptor is kept";
    EXPECT_EQ(model.projections(5).receptor(), "") << "lif_dtb targets must name it";
    EXPECT_EQ(model.inputs(0).receptor(), "excitatory") << "inputs default to excitatory";
}

TEST(ModelDefaults, ScaleAppliesToSizesAndTotalsOnly)
{
    v1::Model model = parse(R"(
scale: 0.1
populations:
  - {name: E, size: 1000, iaf_psc_exp: {}}
  - {name: I, size: 3, iaf_psc_exp: {}}
  - {name: J, size: 15, iaf_psc_exp: {}}
projections:
  - {source: E, target: I, rule: fixed_total_number, total: 12345, weight: 1, delay_ms: 1}
  - {source: E, target: E, rule: fixed_indegree, indegree: 50, weight: 1, delay_ms: 1}
  - {source: E, target: E, rule: pairwise_bernoulli, p: 0.25, weight: 1, delay_ms: 1}
)");
    apply_model_defaults(model, source_name);
    EXPECT_EQ(model.populations(0).size(), 100u);
    EXPECT_EQ(model.populations(1).size(), 1u) << "never below one neuron";
    EXPECT_EQ(model.populations(2).size(), 2u) << "llround(1.5) = 2";
    EXPECT_EQ(model.projections(0).total(), 123u) << "total x scale^2";
    EXPECT_EQ(model.projections(1).indegree(), 50u) << "in-degrees are kept";
    EXPECT_DOUBLE_EQ(model.projections(2).p(), 0.25) << "probabilities are kept";
    EXPECT_DOUBLE_EQ(model.scale(), 1.0) << "scale is consumed";
    EXPECT_NO_THROW(validate_model(model, source_name));
}

TEST(ModelDefaults, ScaleCanGrowTheNetwork)
{
    v1::Model model = parse("scale: 2.5\npopulations: [{name: E, size: 10, iaf_psc_exp: {}}]");
    apply_model_defaults(model, source_name);
    EXPECT_EQ(model.populations(0).size(), 25u);
}

TEST(ModelDefaults, MissingSizeIsNotScaledIntoOne)
{
    v1::Model model = parse("scale: 0.5\npopulations: [{name: E, iaf_psc_exp: {}}]");
    apply_model_defaults(model, source_name);
    EXPECT_EQ(model.populations(0).size(), 0u);
    expect_error([&] { validate_model(model, source_name); }, "populations[0].size", "must be in [1, ");
}

TEST(ModelDefaults, AreIdempotent)
{
    v1::Model once = parse(valid_yaml + "scale: 0.3\n");
    apply_model_defaults(once, source_name);
    v1::Model twice = once;
    apply_model_defaults(twice, source_name);
    EXPECT_TRUE(MessageDifferencer::Equals(once, twice)) << once.DebugString() << "\nvs\n" << twice.DebugString();
    EXPECT_EQ(twice.populations(0).size(), 30u);
    EXPECT_EQ(twice.projections(1).total(), 45u);
}

TEST(ModelDefaults, RejectScaleOutOfRange)
{
    for (const char* scale : { "0", "-0.5", "1.0e7", ".nan", ".inf" }) {
        SCOPED_TRACE(scale);
        v1::Model model = parse(std::string("scale: ") + scale + "\npopulations: [{name: E, size: 1, iaf_psc_exp: {}}]");
        expect_error([&] { apply_model_defaults(model, source_name); }, "scale", "must be");
    }
    v1::Model model = parse("scale: 0\n");
    expect_error([&] { apply_model_defaults(model, source_name); }, "scale", "must be in (0, 1e6], got 0");
    // validate_model checks it too, for messages that never went through defaults.
    model.set_scale(-1);
    expect_error([&] { validate_model(model, source_name); }, "scale", "must be in (0, 1e6], got -1");
}

TEST(ModelDefaults, RejectScaledSizesBeyondTheMaximum)
{
    v1::Model model = parse("scale: 1e6\npopulations: [{name: E, size: 10000000, iaf_psc_exp: {}}]");
    expect_error([&] { apply_model_defaults(model, source_name); }, "populations[0].size", "exceeds the maximum");
}

// ---------------------------------------------------------------- finite numbers

TEST(ModelValidation, EveryDoubleMustBeFinite)
{
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->set_dt_ms(nan); }, "simulation.dt_ms",
        "must be a finite number, got nan");
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->mutable_record()->set_rate_bin_ms(inf); },
        "simulation.record.rate_bin_ms", "must be a finite number, got inf");
    expect_invalid([](v1::Model& m) { m.mutable_populations(2)->mutable_lif_dtb()->set_g_nmda(-inf); },
        "populations[2].lif_dtb.g_nmda", "must be a finite number, got -inf");
    expect_invalid([](v1::Model& m) { m.mutable_projections(1)->mutable_weight()->set_std(nan); },
        "projections[1].weight.std", "must be a finite number, got nan");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(2)->set_tau_ms(inf); }, "inputs[2].tau_ms",
        "must be a finite number");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {tau_m: .nan}}]",
        "populations[0].iaf_psc_exp.tau_m", "must be a finite number, got nan");
}

// ---------------------------------------------------------------- simulation

TEST(ModelValidation, SimulationRanges)
{
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->set_dt_ms(0); }, "simulation.dt_ms",
        "must be in (0, 10] ms, got 0");
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->set_dt_ms(10.5); }, "simulation.dt_ms",
        "must be in (0, 10] ms, got 10.5");
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->set_t_stop_ms(-1); }, "simulation.t_stop_ms",
        "must be in [0, 1e9] ms, got -1");
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->set_t_stop_ms(2e9); }, "simulation.t_stop_ms",
        "must be in [0, 1e9] ms");
    expect_invalid([](v1::Model& m) { m.mutable_simulation()->mutable_record()->set_rate_bin_ms(0.05); },
        "simulation.record.rate_bin_ms", "must be >= dt_ms (0.1 ms), got 0.05");

    v1::Model edges = valid_model();
    edges.mutable_simulation()->set_dt_ms(10);
    edges.mutable_simulation()->mutable_record()->set_rate_bin_ms(10);
    edges.mutable_simulation()->set_t_stop_ms(0);
    for (v1::Projection& projection : *edges.mutable_projections())
        *projection.mutable_delay_ms() = parse("projections: [{delay_ms: 10}]").projections(0).delay_ms();
    EXPECT_NO_THROW(validated(edges));
}

// ---------------------------------------------------------------- populations

TEST(ModelValidation, PopulationNamesAndSizes)
{
    expect_invalid([](v1::Model& m) { m.clear_populations(); m.clear_projections(); m.clear_inputs(); },
        "populations", "at least one population");
    expect_invalid([](v1::Model& m) { m.mutable_populations(1)->set_name(""); }, "populations[1].name", "is required");
    expect_invalid([](v1::Model& m) { m.mutable_populations(1)->set_name("L2/3 E"); }, "populations[1].name",
        "'L2/3 E' is not a valid name");
    expect_invalid([](v1::Model& m) { m.mutable_populations(1)->set_name(".."); }, "populations[1].name",
        "is not a valid name");
    expect_invalid([](v1::Model& m) { m.mutable_populations(2)->set_name("E"); }, "populations[2].name",
        "duplicate population name 'E' (also populations[0])");
    expect_invalid([](v1::Model& m) { m.mutable_populations(0)->set_size(0); }, "populations[0].size",
        "must be in [1, 1099511627776] (2^40), got 0");
    expect_invalid([](v1::Model& m) { m.mutable_populations(0)->set_size((1ull << 40) + 1); },
        "populations[0].size", "got 1099511627777");
    expect_invalid([](v1::Model& m) { m.mutable_populations(0)->clear_iaf_psc_exp(); }, "populations[0]",
        "set exactly one of iaf_psc_exp, lif_dtb");

    v1::Model edges = valid_model();
    edges.mutable_populations(0)->set_name("L23.E_exc-1");
    edges.mutable_projections(0)->set_source("L23.E_exc-1");
    edges.mutable_projections(2)->set_source("L23.E_exc-1");
    edges.mutable_projections(1)->set_target("L23.E_exc-1");
    edges.mutable_inputs(0)->set_targets(0, "L23.E_exc-1");
    edges.mutable_populations(2)->set_size(1ull << 40);
    EXPECT_NO_THROW(validated(edges));
}

TEST(ModelValidation, IafPscExpParameters)
{
    const auto neuron = [](v1::Model& m) { return m.mutable_populations(0)->mutable_iaf_psc_exp(); };
    const std::string path = "populations[0].iaf_psc_exp.";
    expect_invalid([&](v1::Model& m) { neuron(m)->set_c_m(0); }, path + "C_m", "must be > 0, got 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_tau_m(-10); }, path + "tau_m", "must be > 0, got -10");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_t_ref(-0.1); }, path + "t_ref", "must be >= 0, got -0.1");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_tau_syn_ex(0); }, path + "tau_syn_ex", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_tau_syn_in(0); }, path + "tau_syn_in", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_v_reset(-50); }, path + "V_reset",
        "must be below V_th (-50 mV), got -50");

    v1::Model edges = valid_model();
    neuron(edges)->set_t_ref(0);
    neuron(edges)->set_tau_syn_ex(10); // equal to tau_m: allowed
    EXPECT_NO_THROW(validated(edges));
}

TEST(ModelValidation, LifDtbParameters)
{
    const auto neuron = [](v1::Model& m) { return m.mutable_populations(2)->mutable_lif_dtb(); };
    const std::string path = "populations[2].lif_dtb.";
    expect_invalid([&](v1::Model& m) { neuron(m)->set_c(0); }, path + "C", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_g_l(0); }, path + "g_L", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_t_ref(-1); }, path + "T_ref", "must be >= 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_tau_ampa(0); }, path + "tau_ampa", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_tau_gaba_b(-5); }, path + "tau_gaba_b", "must be > 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_g_ampa(-0.1); }, path + "g_ampa", "must be >= 0, got -0.1");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_g_gaba_b(-1e-6); }, path + "g_gaba_b", "must be >= 0");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_v_reset(-40); }, path + "V_reset", "must be below V_th");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_g_gamma_shape(-1); }, path + "g_gamma_shape",
        "must be >= 0 (0 switches heterogeneity off)");
    expect_invalid([&](v1::Model& m) { neuron(m)->set_g_gamma_rate(0); }, path + "g_gamma_rate", "must be > 0");

    v1::Model edges = valid_model();
    neuron(edges)->set_g_gamma_shape(0);
    neuron(edges)->set_g_ampa(0);
    EXPECT_NO_THROW(validated(edges));
}

// ---------------------------------------------------------------- distributions

TEST(ModelValidation, Distributions)
{
    const auto v_init = [](v1::Model& m) { return m.mutable_populations(0)->mutable_v_init(); };
    expect_invalid([&](v1::Model& m) { v_init(m)->set_kind("lognormal"); }, "populations[0].v_init.kind",
        "must be one of constant, uniform, normal, gamma, got 'lognormal'");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {value: -60}}]",
        "populations[0].v_init.kind", "is required");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: uniform, low: -50, high: -60}}]",
        "populations[0].v_init.high", "must be >= low (-50), got -60");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: normal, mean: -60, std: -1}}]",
        "populations[0].v_init.std", "must be >= 0, got -1");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: gamma, shape: 0, rate: 1}}]",
        "populations[0].v_init.shape", "must be > 0");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: gamma, shape: 1, rate: -1}}]",
        "populations[0].v_init.rate", "must be > 0");
    expect_invalid_text("populations: [{name: E, size: 1, iaf_psc_exp: {}, v_init: {kind: normal, value: -60}}]",
        "populations[0].v_init.value", "is not a parameter of a normal distribution (it takes: mean, std)");
}

// ---------------------------------------------------------------- projections

TEST(ModelValidation, ProjectionReferencesAndRules)
{
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_source("X"); }, "projections[0].source",
        "unknown population 'X'; populations are: E, I, L");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->set_target(""); }, "projections[2].target",
        "is required");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_rule("all_to_all"); }, "projections[0].rule",
        "must be one of fixed_indegree, fixed_total_number, pairwise_bernoulli, voxel_local, voxel_dti, got 'all_to_all'");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_indegree(0); }, "projections[0].indegree",
        "must be in [1, 100]");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_indegree(101); }, "projections[0].indegree",
        "must be in [1, 100]");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->set_p(1.5); }, "projections[2].p",
        "must be in [0, 1], got 1.5");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->set_p(-0.1); }, "projections[2].p",
        "must be in [0, 1]");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->set_indegree(10); }, "projections[2].indegree",
        "is used only by rule fixed_indegree");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_p(0.5); }, "projections[0].p",
        "is used only by rule pairwise_bernoulli");
}

TEST(ModelValidation, IndegreeWithoutAutapsesExcludesTheNeuronItself)
{
    const auto self_projection = [](v1::Model& m, std::uint64_t indegree, bool autapses) {
        v1::Projection& projection = *m.mutable_projections(0);
        projection.set_target("E");
        projection.set_indegree(indegree);
        projection.set_allow_autapses(autapses);
    };
    expect_invalid([&](v1::Model& m) { self_projection(m, 100, false); }, "projections[0].indegree",
        "must be in [1, 99]");
    v1::Model model = valid_model();
    self_projection(model, 99, false);
    EXPECT_NO_THROW(validated(model));
    self_projection(model, 100, true);
    EXPECT_NO_THROW(validated(model));
}

TEST(ModelValidation, ProjectionReceptorAndWeightSign)
{
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_receptor("modulatory"); },
        "projections[0].receptor", "must be one of excitatory, inhibitory, got 'modulatory'");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->clear_receptor(); }, "projections[2].receptor",
        "is required for a lif_dtb target ('L')");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->clear_weight(); }, "projections[0].weight",
        "is required");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->set_receptor("inhibitory"); },
        "projections[0].weight", "weight 20 has the wrong sign for receptor 'inhibitory'");
    expect_invalid([](v1::Model& m) { m.mutable_projections(1)->set_receptor("excitatory"); },
        "projections[1].weight.mean", "weight -80 has the wrong sign for receptor 'excitatory'");
    expect_invalid_text(R"(
populations: [{name: E, size: 5, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, delay_ms: 1,
     weight: {kind: uniform, low: -1, high: 1}}
)",
        "projections[0].weight", "straddles zero");
    expect_invalid_text(R"(
populations: [{name: E, size: 5, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, delay_ms: 1, receptor: inhibitory,
     weight: {kind: gamma, shape: 2, rate: 1}}
)",
        "projections[0].weight", "cannot be an inhibitory weight");
    expect_invalid([](v1::Model& m) { m.mutable_projections(2)->mutable_weight()->set_value(-1); },
        "projections[2].weight", "must be >= 0 for a lif_dtb target");

    v1::Model inhibitory_lif = valid_model();
    inhibitory_lif.mutable_projections(2)->set_receptor("inhibitory"); // lif_dtb: channel, weight stays >= 0
    EXPECT_NO_THROW(validated(inhibitory_lif));
}

TEST(ModelValidation, Delays)
{
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->clear_delay_ms(); }, "projections[0].delay_ms",
        "is required");
    expect_invalid([](v1::Model& m) { m.mutable_projections(0)->mutable_delay_ms()->set_value(0.05); },
        "projections[0].delay_ms", "delay 0.05 ms is below dt = 0.1 ms");
    expect_invalid([](v1::Model& m) { m.mutable_projections(1)->mutable_delay_ms()->set_low(0.01); },
        "projections[1].delay_ms.low", "delay 0.01 ms is below dt = 0.1 ms");
    expect_invalid_text(R"(
populations: [{name: E, size: 5, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: 1,
     delay_ms: {kind: normal, mean: 0.08, std: 0.5}}
)",
        "projections[0].delay_ms.mean", "delay 0.08 ms is below dt = 0.1 ms");
    expect_invalid_text(R"(
populations: [{name: E, size: 5, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: 1,
     delay_ms: {kind: gamma, shape: 2, rate: 1}}
)",
        "projections[0].delay_ms.kind", "gamma is not allowed for delays");
    expect_invalid_text(R"(
simulation: {dt_ms: 0.5}
populations: [{name: E, size: 5, iaf_psc_exp: {}}]
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 1, weight: 1, delay_ms: 0.4}
)",
        "projections[0].delay_ms", "delay 0.4 ms is below dt = 0.5 ms");

    v1::Model edges = valid_model();
    edges.mutable_projections(0)->mutable_delay_ms()->set_value(0.1); // exactly dt
    EXPECT_NO_THROW(validated(edges));
}

// ---------------------------------------------------------------- inputs

TEST(ModelValidation, Inputs)
{
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_kind("spike_train"); }, "inputs[0].kind",
        "must be one of poisson, dc, ou, got 'spike_train'");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->clear_targets(); }, "inputs[0].targets",
        "at least one target population");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_targets(1, "Q"); }, "inputs[0].targets[1]",
        "unknown population 'Q'; populations are: E, I, L");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_targets(1, "E"); }, "inputs[0].targets[1]",
        "listed twice");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_rate_hz(-1); }, "inputs[0].rate_hz",
        "must be >= 0, got -1");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_count(0); }, "inputs[0].count",
        "must be >= 1");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_receptor("nmda"); }, "inputs[0].receptor",
        "must be one of excitatory, inhibitory, got 'nmda'");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(0)->set_weight(-20); }, "inputs[0].weight",
        "weight -20 has the wrong sign for receptor 'excitatory'");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(1)->set_rate_hz(5); }, "inputs[1].rate_hz",
        "is not used by a dc input (it takes: amplitude)");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(2)->set_std(-0.1); }, "inputs[2].std", "must be >= 0");
    expect_invalid([](v1::Model& m) { m.mutable_inputs(2)->set_tau_ms(0); }, "inputs[2].tau_ms", "must be > 0");

    v1::Model inhibitory = valid_model();
    inhibitory.mutable_inputs(0)->set_receptor("inhibitory");
    inhibitory.mutable_inputs(0)->set_weight(-20);
    inhibitory.mutable_inputs(0)->set_rate_hz(0);
    inhibitory.mutable_inputs(1)->set_amplitude(-1e6);
    EXPECT_NO_THROW(validated(inhibitory));
}

} // namespace

namespace dtb::sim {
namespace {

TEST(ModelValidationBrain, VoxelRulesNeedBrainArraysAndAFraction)
{
    const std::string base = R"(
populations: [{name: E, size: 8, lif_dtb: {}}, {name: I, size: 2, lif_dtb: {}}]
projections:
  - {source: E, target: E, rule: voxel_local, weight: 1, delay_ms: 1, receptor: excitatory)";
    auto check = [](const std::string& yaml, const std::string& path, const std::string& fragment) {
        v1::Model model = parse_model_text(yaml, "m.yaml");
        apply_model_defaults(model, "m.yaml");
        try {
            validate_model(model, "m.yaml");
            FAIL() << "expected an error at " << path;
        } catch (const ModelError& e) {
            EXPECT_EQ(e.field_path(), path);
            EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
        }
    };
    check(base + ", fraction: 0.5}", "projections[0].rule", "needs a brain model");
    check("brain: {arrays: b.h5}\n" + base + "}", "projections[0].fraction", "must be in (0, 1]");
    check("brain: {arrays: b.h5}\n" + base + ", fraction: 1.5}", "projections[0].fraction", "must be in (0, 1]");
    check(R"(
populations: [{name: E, size: 8, iaf_psc_exp: {}}]
projections: [{source: E, target: E, rule: fixed_indegree, indegree: 2, fraction: 0.5, weight: 1, delay_ms: 1}])",
        "projections[0].fraction", "used only by rules voxel_local and voxel_dti");
    check(R"(
brain: {arrays: b.h5}
populations: [{name: E, size: 8, lif_dtb: {}}])",
        "populations", "exactly two populations");
}

} // namespace
} // namespace dtb::sim
