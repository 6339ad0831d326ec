// Binned population rates (rates.h5): every file written here is read back by
// tests/support/check_rates_file.py (h5py), which checks the layout and
// prints the stored values so that they can be compared exactly.
#include "sim/population_rate_writer.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using dtb::sim::PopulationRange;
using dtb::sim::write_population_rates;

const char* const PYTHON = "/usr/bin/python3";

std::string shell_quote(const std::string& text)
{
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

struct CommandResult {
    int exit_code = -1;
    std::string output;
};

// Runs a shell command through std::system, stdout and stderr into a file.
CommandResult run_command(const std::string& command, const fs::path& output_file)
{
    const int status
        = std::system((command + " > " + shell_quote(output_file.string()) + " 2>&1").c_str());
    CommandResult result;
    if (status != -1 && WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    std::ifstream in(output_file);
    std::stringstream text;
    text << in.rdbuf();
    result.output = text.str();
    return result;
}

bool python_with_h5py_available()
{
    static const bool available = ::access(PYTHON, X_OK) == 0
        && std::system((std::string(PYTHON) + " -c 'import h5py, numpy' > /dev/null 2>&1").c_str())
            == 0;
    return available;
}

std::string populations_argument(const std::vector<PopulationRange>& populations)
{
    std::string text;
    for (const auto& population : populations)
        text += (text.empty() ? "" : ",") + population.name + ":" + std::to_string(population.size);
    return text;
}

// "name: v0 v1 ..." lines of --print-values, parsed back to doubles (Python
// prints the shortest repr that round-trips, strtod reads it exactly).
std::map<std::string, std::vector<double>> parse_values(const std::string& output)
{
    std::map<std::string, std::vector<double>> values;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("OK ", 0) == 0)
            continue;
        std::istringstream words(line);
        std::string name;
        words >> name;
        if (name.empty() || name.back() != ':')
            continue;
        name.pop_back();
        auto& series = values[name];
        std::string word;
        while (words >> word)
            series.push_back(std::strtod(word.c_str(), nullptr));
    }
    return values;
}

class PopulationRateWriter : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(DTB_BINARY_DIR) / "test-output" / "population_rate_writer"
            / (std::string(info->name()) + "-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override
    {
        if (!HasFailure())
            fs::remove_all(dir_);
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    CommandResult check_rates(const std::string& file,
        const std::vector<PopulationRange>& populations, const std::string& extra_arguments = "")
    {
        const std::string command = std::string(PYTHON) + " "
            + shell_quote(std::string(DTB_SOURCE_DIR) + "/tests/support/check_rates_file.py") + " "
            + shell_quote(file) + " --populations " + shell_quote(populations_argument(populations))
            + " " + extra_arguments;
        return run_command(command, dir_ / "checker-output.txt");
    }

    fs::path dir_;
};

#define SKIP_WITHOUT_H5PY()                                                                        \
    do {                                                                                           \
        if (!python_with_h5py_available())                                                         \
            GTEST_SKIP() << PYTHON << " with h5py and numpy is needed to read rates files";        \
    } while (0)

TEST_F(PopulationRateWriter, WritesLayoutAndExactValues)
{
    SKIP_WITHOUT_H5PY();
    const std::vector<PopulationRange> populations = { { "L23E", 0, 800 }, { "L23I", 800, 200 } };
    const std::vector<std::vector<double>> rates = {
        { 0.0, 1.0 / 3.0, 2.5, 1e-300, 1234.5678901234567 },
        { 7.25, 0.0, 0.1, 99.99, std::nextafter(1.0, 2.0) },
    };
    const std::string file = path("rates.h5");
    write_population_rates(file, populations, 2.5, rates);

    const CommandResult result
        = check_rates(file, populations, "--bin-ms 2.5 --bins 5 --print-values");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const auto values = parse_values(result.output);
    ASSERT_EQ(values.size(), 2u) << result.output;
    EXPECT_EQ(values.at("L23E"), rates[0]);
    EXPECT_EQ(values.at("L23I"), rates[1]);
}

TEST_F(PopulationRateWriter, CheckerRejectsMismatches)
{
    SKIP_WITHOUT_H5PY();
    const std::vector<PopulationRange> populations = { { "E", 0, 80 }, { "I", 80, 20 } };
    const std::string file = path("rates.h5");
    write_population_rates(file, populations, 1.0, { { 1.0, 2.0 }, { 3.0, 4.0 } });

    const CommandResult wrong_size = check_rates(file, { { "E", 0, 81 }, { "I", 81, 20 } });
    EXPECT_EQ(wrong_size.exit_code, 1) << wrong_size.output;
    EXPECT_NE(wrong_size.output.find("/rates/E: attribute 'size'"), std::string::npos)
        << wrong_size.output;
    const CommandResult wrong_bin = check_rates(file, populations, "--bin-ms 0.5");
    EXPECT_EQ(wrong_bin.exit_code, 1) << wrong_bin.output;
    const CommandResult wrong_bins = check_rates(file, populations, "--bins 3");
    EXPECT_EQ(wrong_bins.exit_code, 1) << wrong_bins.output;
    const CommandResult missing
        = check_rates(file, { { "E", 0, 80 }, { "I", 80, 20 }, { "X", 100, 1 } });
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    const CommandResult extra = check_rates(file, { { "E", 0, 80 } });
    EXPECT_EQ(extra.exit_code, 1) << extra.output;
}

TEST_F(PopulationRateWriter, EmptyCasesAreValidFiles)
{
    SKIP_WITHOUT_H5PY();
    const std::string none = path("none.h5");
    write_population_rates(none, {}, 1.0, {});
    const CommandResult no_populations = check_rates(none, {}, "--bin-ms 1");
    EXPECT_EQ(no_populations.exit_code, 0) << no_populations.output;

    // A run shorter than one bin; and a population without neurons.
    const std::vector<PopulationRange> populations = { { "E", 0, 10 }, { "empty", 10, 0 } };
    const std::string no_bins = path("no_bins.h5");
    write_population_rates(no_bins, populations, 1.0, { {}, {} });
    const CommandResult zero_bins = check_rates(no_bins, populations, "--bins 0");
    EXPECT_EQ(zero_bins.exit_code, 0) << zero_bins.output;

    const std::string with_empty = path("with_empty.h5");
    write_population_rates(with_empty, populations, 1.0, { { 5.0, 6.0 }, { 0.0, 0.0 } });
    const CommandResult result = check_rates(with_empty, populations, "--bins 2 --print-values");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(parse_values(result.output).at("empty"), (std::vector<double> { 0.0, 0.0 }));
}

// Long series (beyond one 2^16-bin chunk) take the chunked, compressed path.
TEST_F(PopulationRateWriter, LongSeriesRoundTrip)
{
    SKIP_WITHOUT_H5PY();
    const std::vector<PopulationRange> populations = { { "E", 0, 1000 } };
    std::vector<double> series(150000);
    for (std::size_t b = 0; b < series.size(); ++b)
        series[b] = static_cast<double>(b % 97) * 0.1;
    const std::string file = path("rates.h5");
    write_population_rates(file, populations, 0.1, { series });
    EXPECT_LT(fs::file_size(file), series.size() * sizeof(double) / 2)
        << "series does not look compressed";

    const CommandResult result
        = check_rates(file, populations, "--bin-ms 0.1 --bins 150000 --print-values");
    ASSERT_EQ(result.exit_code, 0) << result.output.substr(0, 2000);
    EXPECT_EQ(parse_values(result.output).at("E"), series);
}

TEST_F(PopulationRateWriter, UnwritablePathThrowsNamingThePath)
{
    const std::string file = path("no/such/directory/rates.h5");
    ::testing::internal::CaptureStderr();
    try {
        write_population_rates(file, { { "E", 0, 10 } }, 1.0, { { 1.0 } });
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(file), std::string::npos) << message;
        EXPECT_NE(message.find("H5Fcreate"), std::string::npos) << message;
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(PopulationRateWriter, RejectsInvalidInputBeforeCreatingTheFile)
{
    const std::string file = path("rates.h5");
    const std::vector<PopulationRange> populations = { { "E", 0, 10 }, { "I", 10, 5 } };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(
        write_population_rates(file, populations, 1.0, { { 1.0 } }), std::invalid_argument);
    EXPECT_THROW(write_population_rates(file, populations, 1.0, { { 1.0 }, { 1.0, 2.0 } }),
        std::invalid_argument);
    EXPECT_THROW(write_population_rates(file, populations, 1.0, { { -1.0 }, { 1.0 } }),
        std::invalid_argument);
    EXPECT_THROW(write_population_rates(file, populations, 1.0, { { nan }, { 1.0 } }),
        std::invalid_argument);
    EXPECT_THROW(write_population_rates(file, populations, 0.0, { { 1.0 }, { 1.0 } }),
        std::invalid_argument);
    EXPECT_THROW(
        write_population_rates(file, { { "E", 0, 1 }, { "E", 1, 1 } }, 1.0, { { 1.0 }, { 1.0 } }),
        std::invalid_argument);
    EXPECT_THROW(
        write_population_rates(file, { { "a/b", 0, 1 } }, 1.0, { { 1.0 } }), std::invalid_argument);
    EXPECT_FALSE(fs::exists(file));
}

} // namespace
