// Strict parsing of model files (sim/model_loader): every kind of bad input
// must be a ModelError that names the file, the field path and what is wrong.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>
#include <unistd.h>

#include "sim/model_loader.hpp"

namespace {

using dtb::sim::load_model_file;
using dtb::sim::ModelError;
using dtb::sim::parse_model_text;
namespace v1 = dtb::sim::v1;

const char* const source_name = "model.yaml";

// The error parse_model_text throws for `text`; fails the test if none.
ModelError parse_error(const std::string& text)
{
    try {
        parse_model_text(text, source_name);
    } catch (const ModelError& error) {
        return error;
    }
    ADD_FAILURE() << "no ModelError for:\n" << text;
    return ModelError("", "", "");
}

void expect_parse_error(const std::string& text, const std::string& field_path, const std::string& fragment)
{
    SCOPED_TRACE("model text:\n" + text);
    const ModelError error = parse_error(text);
    EXPECT_EQ(error.file(), source_name);
    EXPECT_EQ(error.field_path(), field_path);
    EXPECT_NE(error.message().find(fragment), std::string::npos)
        << "message: " << error.message() << "\nexpected fragment: " << fragment;
    // what() is what the CLI prints: file, path and message together.
    EXPECT_NE(std::string(error.what()).find(source_name), std::string::npos);
    EXPECT_NE(std::string(error.what()).find(field_path), std::string::npos);
}

const std::string minimal_yaml = R"(name: tiny
simulation:
  dt_ms: 0.1
  t_stop_ms: 200
  seed: 7
  record: {spikes: false, rate_bin_ms: 5}
populations:
  - name: E
    size: 80
    iaf_psc_exp: {tau_m: 20, V_th: -55}
  - name: I
    size: 20
    lif_dtb: {g_L: 0.03}
    v_init: {kind: uniform, low: -70, high: -60}
projections:
  - source: E
    target: I
    rule: fixed_indegree
    indegree: 10
    weight: 87.8
    delay_ms: {kind: normal, mean: 1.5, std: 0.75}
    receptor: excitatory
inputs:
  - name: drive
    targets: [E, I]
    kind: poisson
    rate_hz: 8
    count: 100
    weight: 87.8
scale: 0.5
)";

const std::string minimal_json = R"({
  "name": "tiny",
  "simulation": {"dt_ms": 0.1, "t_stop_ms": 200, "seed": 7,
                 "record": {"spikes": false, "rate_bin_ms": 5}},
  "populations": [
    {"name": "E", "size": 80, "iaf_psc_exp": {"tau_m": 20, "V_th": -55}},
    {"name": "I", "size": 20, "lif_dtb": {"g_L": 0.03},
     "v_init": {"kind": "uniform", "low": -70, "high": -60}}
  ],
  "projections": [
    {"source": "E", "target": "I", "rule": "fixed_indegree", "indegree": 10,
     "weight": 87.8, "delay_ms": {"kind": "normal", "mean": 1.5, "std": 0.75},
     "receptor": "excitatory"}
  ],
  "inputs": [
    {"name": "drive", "targets": ["E", "I"], "kind": "poisson", "rate_hz": 8,
     "count": 100, "weight": 87.8}
  ],
  "scale": 0.5
})";

TEST(ModelLoader, ParsesEveryLevelOfAYamlModel)
{
    const v1::Model model = parse_model_text(minimal_yaml, source_name);
    EXPECT_EQ(model.name(), "tiny");
    EXPECT_DOUBLE_EQ(model.simulation().dt_ms(), 0.1);
    EXPECT_DOUBLE_EQ(model.simulation().t_stop_ms(), 200.0);
    EXPECT_EQ(model.simulation().seed(), 7u);
    EXPECT_TRUE(model.simulation().record().has_spikes());
    EXPECT_FALSE(model.simulation().record().spikes());
    ASSERT_EQ(model.populations_size(), 2);
    EXPECT_EQ(model.populations(0).size(), 80u);
    ASSERT_TRUE(model.populations(0).has_iaf_psc_exp());
    EXPECT_DOUBLE_EQ(model.populations(0).iaf_psc_exp().tau_m(), 20.0);
    EXPECT_FALSE(model.populations(0).iaf_psc_exp().has_c_m()) << "parsing must not fill defaults";
    ASSERT_TRUE(model.populations(1).has_lif_dtb());
    EXPECT_EQ(model.populations(1).v_init().kind(), "uniform");
    EXPECT_DOUBLE_EQ(model.populations(1).v_init().high(), -60.0);
    ASSERT_EQ(model.projections_size(), 1);
    EXPECT_EQ(model.projections(0).indegree(), 10u);
    EXPECT_EQ(model.projections(0).delay_ms().kind(), "normal");
    EXPECT_DOUBLE_EQ(model.projections(0).delay_ms().std(), 0.75);
    ASSERT_EQ(model.inputs_size(), 1);
    ASSERT_EQ(model.inputs(0).targets_size(), 2);
    EXPECT_EQ(model.inputs(0).targets(1), "I");
    EXPECT_EQ(model.inputs(0).count(), 100u);
    EXPECT_DOUBLE_EQ(model.scale(), 0.5);
}

TEST(ModelLoader, JsonGivesTheSameModelAsYaml)
{
    const v1::Model from_yaml = parse_model_text(minimal_yaml, "model.yaml");
    const v1::Model from_json = parse_model_text(minimal_json, "model.json");
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_yaml, from_json))
        << from_yaml.DebugString() << "\nvs\n"
        << from_json.DebugString();
}

TEST(ModelLoader, BareNumberIsAConstantDistribution)
{
    const v1::Model model = parse_model_text(R"(
populations:
  - {name: E, size: 1, iaf_psc_exp: {}, v_init: -58.5}
projections:
  - {source: E, target: E, rule: fixed_total_number, total: 1, weight: -4e1, delay_ms: 2}
)",
        source_name);
    EXPECT_EQ(model.populations(0).v_init().kind(), "constant");
    EXPECT_DOUBLE_EQ(model.populations(0).v_init().value(), -58.5);
    EXPECT_EQ(model.projections(0).weight().kind(), "constant");
    EXPECT_DOUBLE_EQ(model.projections(0).weight().value(), -40.0);
    EXPECT_EQ(model.projections(0).delay_ms().kind(), "constant");
    EXPECT_DOUBLE_EQ(model.projections(0).delay_ms().value(), 2.0);
}

TEST(ModelLoader, EmptyValueSelectsAMessageWithDefaults)
{
    const v1::Model model = parse_model_text("populations:\n  - name: E\n    size: 3\n    lif_dtb:\ninputs:\n",
        source_name);
    EXPECT_TRUE(model.populations(0).has_lif_dtb());
    EXPECT_EQ(model.inputs_size(), 0);
}

TEST(ModelLoader, AcceptsIntegerValuedNumbersForIntegers)
{
    const v1::Model model
        = parse_model_text("populations: [{name: E, size: 1e5}, {name: I, size: 2.0e1}, {name: X, size: 18446744073709551615}]",
            source_name);
    EXPECT_EQ(model.populations(0).size(), 100000u);
    EXPECT_EQ(model.populations(1).size(), 20u);
    EXPECT_EQ(model.populations(2).size(), 18446744073709551615u) << "exact, not through a double";
}

TEST(ModelLoader, AcceptsNanAndInfinityAtParseTime)
{
    // Validation, not parsing, rejects them (test_model_validation).
    const v1::Model model = parse_model_text("simulation: {dt_ms: .nan, t_stop_ms: .inf}\nscale: -.Inf", source_name);
    EXPECT_TRUE(std::isnan(model.simulation().dt_ms()));
    EXPECT_TRUE(std::isinf(model.simulation().t_stop_ms()));
    EXPECT_LT(model.scale(), 0.0);
}

TEST(ModelLoader, QuotedNumbersAreStrings)
{
    const v1::Model model = parse_model_text("populations: [{name: \"42\", size: 1}]", source_name);
    EXPECT_EQ(model.populations(0).name(), "42");
}

TEST(ModelLoader, RejectsUnknownFieldsListingTheAllowedOnes)
{
    expect_parse_error("nmae: x\n", "nmae",
        "unknown field 'nmae'; allowed: name, simulation, populations, projections, inputs, scale");
    expect_parse_error("simulation: {dt: 0.1}\n", "simulation.dt",
        "unknown field 'dt'; allowed: dt_ms, t_stop_ms, seed, record");
    expect_parse_error(R"(populations:
  - {name: E, size: 1, iaf_psc_exp: {}}
  - name: I
    size: 1
    iaf_psc_exp: {tau: 3}
)",
        "populations[1].iaf_psc_exp.tau", "unknown field 'tau'; allowed: C_m, tau_m, t_ref, E_L");
    expect_parse_error("projections: [{weight: {kind: normal, mean: 1, sd: 2}}]", "projections[0].weight.sd",
        "unknown field 'sd'; allowed: kind, value, low, high, mean, std, shape, rate");
}

TEST(ModelLoader, FieldNamesAreCaseSensitive)
{
    expect_parse_error("populations: [{name: E, size: 1, iaf_psc_exp: {c_m: 250}}]",
        "populations[0].iaf_psc_exp.c_m", "unknown field 'c_m'");
}

TEST(ModelLoader, ErrorsGiveTheLineInTheFile)
{
    expect_parse_error("name: x\nsimulation:\n  dt_ms: 0.1\n  tstop: 5\n", "simulation.tstop", "(line 4, column 3)");
}

TEST(ModelLoader, RejectsDuplicateKeys)
{
    expect_parse_error("simulation:\n  dt_ms: 0.1\n  dt_ms: 0.2\n", "simulation.dt_ms", "duplicate key 'dt_ms'");
    expect_parse_error(R"({"name": "a", "name": "b"})", "name", "duplicate key 'name'");
}

TEST(ModelLoader, RejectsWrongTypesSayingWhatWasExpectedAndFound)
{
    expect_parse_error("simulation: {dt_ms: fast}", "simulation.dt_ms", "expected a number, got string 'fast'");
    expect_parse_error("simulation: {dt_ms: \"0.1\"}", "simulation.dt_ms", "expected a number, got string '0.1'");
    expect_parse_error("simulation: {dt_ms: true}", "simulation.dt_ms", "expected a number, got boolean true");
    expect_parse_error("simulation: {dt_ms: [0.1]}", "simulation.dt_ms", "expected a number, got a list");
    expect_parse_error("simulation: {dt_ms: }", "simulation.dt_ms", "expected a number, got an empty value");
    expect_parse_error("simulation: {seed: abc}", "simulation.seed",
        "expected a non-negative integer, got string 'abc'");
    expect_parse_error("simulation: {record: {spikes: yes}}", "simulation.record.spikes",
        "expected a boolean (true or false), got string 'yes'");
    expect_parse_error("simulation: {record: {spikes: 1}}", "simulation.record.spikes",
        "expected a boolean (true or false), got number 1");
    expect_parse_error("name: {a: 1}", "name", "expected a string, got a mapping");
    expect_parse_error("populations: [{name: 42}]", "populations[0].name", "expected a string, got number 42");
    expect_parse_error("populations: {name: E}", "populations", "expected a list, got a mapping");
    expect_parse_error("populations: [E]", "populations[0]", "expected a mapping, got string 'E'");
    expect_parse_error("simulation: 5", "simulation", "expected a mapping, got number 5");
    expect_parse_error("inputs: [{targets: E}]", "inputs[0].targets", "expected a list, got string 'E'");
    expect_parse_error("inputs: [{targets: [E, [I]]}]", "inputs[0].targets[1]", "expected a string, got a list");
    expect_parse_error("projections: [{weight: strong}]", "projections[0].weight",
        "expected a number or a mapping (a distribution), got string 'strong'");
    expect_parse_error("projections: [{delay_ms: [1, 2]}]", "projections[0].delay_ms",
        "expected a number or a mapping (a distribution), got a list");
}

TEST(ModelLoader, RejectsNegativeAndFractionalIntegers)
{
    expect_parse_error("populations: [{name: E, size: -5}]", "populations[0].size",
        "must be a non-negative integer, got -5");
    expect_parse_error("populations: [{name: E, size: 2.5}]", "populations[0].size",
        "must be a non-negative integer, got 2.5");
    expect_parse_error("populations: [{name: E, size: -1e3}]", "populations[0].size",
        "must be a non-negative integer, got -1e3");
    expect_parse_error("populations: [{name: E, size: .nan}]", "populations[0].size",
        "must be a non-negative integer, got .nan");
    expect_parse_error("populations: [{name: E, size: 18446744073709551616}]", "populations[0].size",
        "too large");
    expect_parse_error("populations: [{name: E, size: 1e30}]", "populations[0].size", "too large");
}

TEST(ModelLoader, RejectsTwoAlternativesOfAOneof)
{
    expect_parse_error("populations: [{name: E, size: 1, iaf_psc_exp: {}, lif_dtb: {}}]",
        "populations[0].lif_dtb", "'lif_dtb' and 'iaf_psc_exp' are alternatives");
}

TEST(ModelLoader, RejectsNonScalarKeys)
{
    expect_parse_error("{[a, b]: 1}", "", "a key must be a field name, got a list");
}

TEST(ModelLoader, SyntaxErrorsCarryLineAndColumn)
{
    const ModelError error = parse_error("name: x\npopulations: [ {name: E\nscale: 1\n");
    EXPECT_EQ(error.file(), source_name);
    EXPECT_EQ(error.field_path(), "");
    EXPECT_NE(error.message().find("YAML syntax error"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("line "), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("column "), std::string::npos) << error.message();

    expect_parse_error("a: b: c\n", "", "(line 1, column 5)");
}

TEST(ModelLoader, RejectsEmptyAndNonMappingDocuments)
{
    expect_parse_error("", "", "empty");
    expect_parse_error("# nothing but a comment\n", "", "empty");
    expect_parse_error("---\n", "", "empty");
    expect_parse_error("- name: E\n", "", "expected a mapping of model fields at the top level, got a list");
    expect_parse_error("just text", "", "expected a mapping of model fields at the top level, got string");
    expect_parse_error("name: a\n---\nname: b\n", "", "2 YAML documents");
}

class ModelFileTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/dtb_model_loader_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override
    {
        for (const std::string& path : written_)
            std::remove(path.c_str());
        ::rmdir(dir_.c_str());
    }
    std::string write(const std::string& name, const std::string& text)
    {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << text;
        written_.push_back(path);
        return path;
    }
    std::string dir_;
    std::vector<std::string> written_;
};

TEST_F(ModelFileTest, LoadsDefaultsAndValidates)
{
    const std::string path = write("tiny.yaml", R"(populations:
  - {name: E, size: 10, iaf_psc_exp: {}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 3, weight: 20, delay_ms: 1.5}
)");
    const v1::Model model = load_model_file(path);
    EXPECT_DOUBLE_EQ(model.simulation().dt_ms(), 0.1);
    EXPECT_DOUBLE_EQ(model.populations(0).iaf_psc_exp().c_m(), 250.0);
    EXPECT_EQ(model.projections(0).receptor(), "excitatory");
}

TEST_F(ModelFileTest, ValidationErrorsNameTheFile)
{
    const std::string path = write("bad.yaml", R"(populations:
  - {name: E, size: 10, iaf_psc_exp: {}}
projections:
  - {source: E, target: E, rule: fixed_indegree, indegree: 3, weight: 20, delay_ms: 0.05}
)");
    try {
        load_model_file(path);
        FAIL() << "expected a ModelError";
    } catch (const ModelError& error) {
        EXPECT_EQ(error.file(), path);
        EXPECT_EQ(error.field_path(), "projections[0].delay_ms");
        EXPECT_NE(error.message().find("delay 0.05 ms is below dt = 0.1 ms"), std::string::npos)
            << error.message();
    }
}

TEST_F(ModelFileTest, MissingFileNamesTheFileAndTheReason)
{
    const std::string path = dir_ + "/no_such_model.yaml";
    try {
        load_model_file(path);
        FAIL() << "expected a ModelError";
    } catch (const ModelError& error) {
        EXPECT_EQ(error.file(), path);
        EXPECT_NE(error.message().find("No such file or directory"), std::string::npos) << error.message();
    }
}

TEST_F(ModelFileTest, DirectoryIsNotAModelFile)
{
    try {
        load_model_file(dir_);
        FAIL() << "expected a ModelError";
    } catch (const ModelError& error) {
        EXPECT_EQ(error.file(), dir_);
        EXPECT_NE(error.message().find("Is a directory"), std::string::npos) << error.message();
    }
}

TEST_F(ModelFileTest, EmptyFileIsAnError)
{
    const std::string path = write("empty.yaml", "");
    try {
        load_model_file(path);
        FAIL() << "expected a ModelError";
    } catch (const ModelError& error) {
        EXPECT_EQ(error.file(), path);
        EXPECT_NE(error.message().find("empty"), std::string::npos) << error.message();
    }
}

} // namespace
