// SONATA spike files: round trips through write_sonata_spikes /
// read_sonata_spikes, and the cross-implementation check — every file
// written here must also pass tests/support/check_sonata_layout.py, an
// independent h5py reader of the layout in references.md section 6.
#include "sim/sonata_spike_writer.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dtb::sim::detail {
// Defined in sim/sonata_spike_writer.cpp: the writer with its memory budget
// and chunk size exposed, to drive the batched and streamed paths.
void write_sonata_spikes_tuned(const std::string& path,
    const std::vector<PopulationRange>& populations, const std::vector<SpikeEvent>& spikes,
    double dt_ms, std::uint64_t max_buffered_events, std::uint64_t chunk_events);
} // namespace dtb::sim::detail

namespace {

namespace fs = std::filesystem;
using dtb::sim::PopulationRange;
using dtb::sim::read_sonata_spikes;
using dtb::sim::SpikeEvent;
using dtb::sim::write_sonata_spikes;

constexpr double DT_MS = 0.1;
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

// The checker needs Debian's python3 with h5py; without them the
// cross-implementation tests are skipped (and say so), not failed.
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

// Spikes of every neuron of `populations`, firing at pseudo-random steps in
// [0, num_steps), sorted by (step, gid). A fixed LCG keeps it reproducible.
std::vector<SpikeEvent> make_spikes(const std::vector<PopulationRange>& populations,
    std::uint64_t num_steps, std::uint64_t spikes_per_neuron)
{
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    std::vector<SpikeEvent> spikes;
    for (const auto& population : populations)
        for (std::uint64_t local = 0; local < population.size; ++local)
            for (std::uint64_t k = 0; k < spikes_per_neuron; ++k) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                spikes.push_back({ (state >> 33) % num_steps, population.first_gid + local });
            }
    std::sort(spikes.begin(), spikes.end());
    spikes.erase(std::unique(spikes.begin(), spikes.end()), spikes.end());
    return spikes;
}

class SonataSpikeWriter : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(DTB_BINARY_DIR) / "test-output" / "sonata_spike_writer"
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

    CommandResult check_layout(const std::string& file,
        const std::vector<PopulationRange>& populations, double dt_ms = DT_MS)
    {
        const std::string command = std::string(PYTHON) + " "
            + shell_quote(std::string(DTB_SOURCE_DIR) + "/tests/support/check_sonata_layout.py")
            + " " + shell_quote(file) + " --populations "
            + shell_quote(populations_argument(populations)) + " --dt " + std::to_string(dt_ms);
        return run_command(command, dir_ / "checker-output.txt");
    }

    fs::path dir_;
};

#define SKIP_WITHOUT_H5PY()                                                                        \
    do {                                                                                           \
        if (!python_with_h5py_available())                                                         \
            GTEST_SKIP() << PYTHON << " with h5py and numpy is needed for the layout checker";     \
    } while (0)

TEST_F(SonataSpikeWriter, RoundTripsTwoPopulations)
{
    const std::vector<PopulationRange> populations = { { "E", 0, 80 }, { "I", 80, 20 } };
    const auto spikes = make_spikes(populations, 1000, 5);
    ASSERT_GT(spikes.size(), 400u);

    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, spikes, DT_MS);
    EXPECT_EQ(read_sonata_spikes(file, populations, DT_MS), spikes);
}

TEST_F(SonataSpikeWriter, PassesIndependentLayoutCheck)
{
    SKIP_WITHOUT_H5PY();
    const std::vector<PopulationRange> populations = { { "E", 0, 80 }, { "I", 80, 20 } };
    const auto spikes = make_spikes(populations, 1000, 5);
    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, spikes, DT_MS);

    const CommandResult result = check_layout(file, populations);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output.rfind("OK ", 0), 0u) << result.output;
    EXPECT_NE(result.output.find(std::to_string(spikes.size()) + " spikes"), std::string::npos)
        << result.output;
}

// The checker is only worth something if it fails on files that do not
// match: a node id beyond the stated size, a missing population, a wrong dt.
TEST_F(SonataSpikeWriter, LayoutCheckerRejectsMismatches)
{
    SKIP_WITHOUT_H5PY();
    const std::vector<PopulationRange> populations = { { "E", 0, 80 }, { "I", 80, 20 } };
    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, make_spikes(populations, 1000, 5), DT_MS);

    const CommandResult small = check_layout(file, { { "E", 0, 10 }, { "I", 80, 20 } });
    EXPECT_EQ(small.exit_code, 1) << small.output;
    EXPECT_NE(small.output.find("/spikes/E/node_ids"), std::string::npos) << small.output;

    const CommandResult missing
        = check_layout(file, { { "E", 0, 80 }, { "I", 80, 20 }, { "X", 100, 1 } });
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_NE(missing.output.find("/spikes/X"), std::string::npos) << missing.output;

    const CommandResult extra = check_layout(file, { { "E", 0, 80 } });
    EXPECT_EQ(extra.exit_code, 1) << extra.output;
    EXPECT_NE(extra.output.find("/spikes/I"), std::string::npos) << extra.output;

    const CommandResult wrong_dt = check_layout(file, populations, 0.25);
    EXPECT_EQ(wrong_dt.exit_code, 1) << wrong_dt.output;
    EXPECT_NE(wrong_dt.output.find("timestamps"), std::string::npos) << wrong_dt.output;
}

TEST_F(SonataSpikeWriter, NoPopulationsGivesAnEmptySpikesGroup)
{
    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, {}, {}, DT_MS);
    EXPECT_TRUE(read_sonata_spikes(file, {}, DT_MS).empty());
    if (python_with_h5py_available()) {
        const CommandResult result = check_layout(file, {});
        EXPECT_EQ(result.exit_code, 0) << result.output;
    }
}

TEST_F(SonataSpikeWriter, PopulationsWithoutNeuronsOrSpikesGetEmptyDatasets)
{
    const std::vector<PopulationRange> populations = { { "no_neurons", 10, 0 }, { "silent", 0, 10 },
        { "active", 10, 5 }, { "no_neurons_either", 0, 0 } };
    const std::vector<SpikeEvent> spikes = { { 0, 10 }, { 0, 14 }, { 3, 12 }, { 7, 10 } };
    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, spikes, DT_MS);

    EXPECT_EQ(read_sonata_spikes(file, populations, DT_MS), spikes);
    EXPECT_TRUE(read_sonata_spikes(file, { populations[0], populations[1] }, DT_MS).empty());
    if (python_with_h5py_available()) {
        const CommandResult result = check_layout(file, populations);
        EXPECT_EQ(result.exit_code, 0) << result.output;
        EXPECT_NE(result.output.find("no_neurons=0, silent=0, active=4, no_neurons_either=0"),
            std::string::npos)
            << result.output;
    }
}

TEST_F(SonataSpikeWriter, RoundTripsLargeIdsAndSteps)
{
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::vector<PopulationRange> populations = {
        { "far", std::uint64_t(1) << 62, std::uint64_t(1) << 40 },
        { "top", max - 1000, 1000 }, // its last neuron has gid 2^64 - 2
    };
    const std::uint64_t far = std::uint64_t(1) << 62;
    // Up to 10^10 steps: 10^9 ms, far beyond any run, still exact in float64.
    const std::vector<SpikeEvent> spikes = {
        { 0, far },
        { 0, max - 1000 },
        { 1, far + (std::uint64_t(1) << 40) - 1 },
        { 1, max - 1 },
        { 10'000'000'000ULL, far + 12345 },
        { 10'000'000'000ULL, max - 1 },
    };
    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, spikes, DT_MS);
    EXPECT_EQ(read_sonata_spikes(file, populations, DT_MS), spikes);
    if (python_with_h5py_available()) {
        const CommandResult result = check_layout(file, populations);
        EXPECT_EQ(result.exit_code, 0) << result.output;
    }
}

// Many populations, given out of gid order with gaps between them, written
// with a tiny buffer (batches of several populations, and populations larger
// than the buffer streamed in slabs) and tiny chunks (compressed datasets).
TEST_F(SonataSpikeWriter, BatchedAndStreamedWritesRoundTrip)
{
    std::vector<PopulationRange> populations;
    std::uint64_t next_gid = 5;
    for (int p = 0; p < 12; ++p) {
        const std::uint64_t size = (p % 4 == 0) ? 60 : 1 + p; // some populations exceed the buffer
        populations.push_back({ "pop" + std::to_string(p), next_gid, size });
        next_gid += size + (p % 3); // gaps between some populations
    }
    std::swap(populations[0], populations[7]);
    std::swap(populations[3], populations[11]);
    const auto spikes = make_spikes(populations, 500, 7);

    const std::string tuned = path("tuned.h5");
    dtb::sim::detail::write_sonata_spikes_tuned(tuned, populations, spikes, DT_MS, 256, 64);
    EXPECT_EQ(read_sonata_spikes(tuned, populations, DT_MS), spikes);

    // Budget not a multiple of the chunk, and a budget smaller than a chunk.
    const std::string odd = path("odd.h5");
    dtb::sim::detail::write_sonata_spikes_tuned(odd, populations, spikes, DT_MS, 100, 32);
    EXPECT_EQ(read_sonata_spikes(odd, populations, DT_MS), spikes);
    const std::string tiny = path("tiny.h5");
    dtb::sim::detail::write_sonata_spikes_tuned(tiny, populations, spikes, DT_MS, 3, 16);
    EXPECT_EQ(read_sonata_spikes(tiny, populations, DT_MS), spikes);

    if (python_with_h5py_available()) {
        for (const auto& file : { tuned, odd, tiny }) {
            const CommandResult result = check_layout(file, populations);
            EXPECT_EQ(result.exit_code, 0) << file << "\n" << result.output;
        }
    }
}

// Above one chunk (2^16 events) the datasets are chunked and deflated.
TEST_F(SonataSpikeWriter, LargePopulationIsCompressed)
{
    const std::vector<PopulationRange> populations = { { "E", 0, 2000 }, { "I", 2000, 500 } };
    const auto spikes = make_spikes(populations, 20000, 80);
    ASSERT_GT(spikes.size(), 150000u);

    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, spikes, DT_MS);
    EXPECT_EQ(read_sonata_spikes(file, populations, DT_MS), spikes);
    const auto raw_bytes = spikes.size() * (sizeof(double) + sizeof(std::uint64_t));
    EXPECT_LT(fs::file_size(file), raw_bytes / 2) << "datasets do not look compressed";
    if (python_with_h5py_available()) {
        const CommandResult result = check_layout(file, populations);
        EXPECT_EQ(result.exit_code, 0) << result.output;
    }
}

TEST_F(SonataSpikeWriter, OverwritesAnExistingFile)
{
    const std::string file = path("spikes.h5");
    const std::vector<PopulationRange> first = { { "A", 0, 10 }, { "B", 10, 10 } };
    write_sonata_spikes(file, first, make_spikes(first, 100, 3), DT_MS);
    const std::vector<PopulationRange> second = { { "C", 0, 4 } };
    const std::vector<SpikeEvent> spikes = { { 2, 1 }, { 5, 3 } };
    write_sonata_spikes(file, second, spikes, DT_MS);
    EXPECT_EQ(read_sonata_spikes(file, second, DT_MS), spikes);
    EXPECT_THROW(read_sonata_spikes(file, first, DT_MS), std::runtime_error);
}

TEST_F(SonataSpikeWriter, UnwritablePathThrowsNamingThePath)
{
    const std::string file = path("no/such/directory/spikes.h5");
    const std::vector<PopulationRange> populations = { { "E", 0, 10 } };
    ::testing::internal::CaptureStderr();
    try {
        write_sonata_spikes(file, populations, { { 0, 1 } }, DT_MS);
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(file), std::string::npos) << message;
        EXPECT_NE(message.find("H5Fcreate"), std::string::npos) << message;
    }
    // The error arrives as the exception, not also as HDF5's stack dump.
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_FALSE(fs::exists(file));
}

TEST_F(SonataSpikeWriter, ReadErrorsNameTheFileAndWhatIsWrong)
{
    const std::vector<PopulationRange> populations = { { "E", 0, 10 } };
    const std::string missing = path("missing.h5");
    try {
        read_sonata_spikes(missing, populations, DT_MS);
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
    }

    const std::string file = path("spikes.h5");
    write_sonata_spikes(file, populations, { { 0, 1 }, { 4, 9 } }, DT_MS);
    try {
        read_sonata_spikes(file, { { "E", 0, 10 }, { "ghost", 10, 3 } }, DT_MS);
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("ghost"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find(file), std::string::npos) << error.what();
    }
    // Node id 9 does not fit a population of 5; t = 0.5 ms is off a 0.3 ms grid.
    EXPECT_THROW(read_sonata_spikes(file, { { "E", 0, 5 } }, DT_MS), std::runtime_error);
    EXPECT_THROW(read_sonata_spikes(file, populations, 0.3), std::runtime_error);
}

TEST_F(SonataSpikeWriter, RejectsInvalidInputBeforeCreatingTheFile)
{
    const std::string file = path("spikes.h5");
    const std::vector<PopulationRange> populations = { { "E", 0, 10 }, { "I", 10, 5 } };
    // Not sorted by (step, gid), or a duplicate event.
    EXPECT_THROW(write_sonata_spikes(file, populations, { { 1, 0 }, { 0, 3 } }, DT_MS),
        std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(file, populations, { { 1, 2 }, { 1, 2 } }, DT_MS),
        std::invalid_argument);
    // A gid in no population.
    EXPECT_THROW(
        write_sonata_spikes(file, populations, { { 0, 15 } }, DT_MS), std::invalid_argument);
    // Populations that overlap, share a name, or cannot be a group name.
    EXPECT_THROW(write_sonata_spikes(file, { { "E", 0, 10 }, { "I", 9, 5 } }, {}, DT_MS),
        std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(file, { { "E", 0, 10 }, { "E", 10, 5 } }, {}, DT_MS),
        std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(file, { { "a/b", 0, 10 } }, {}, DT_MS), std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(file, { { "", 0, 10 } }, {}, DT_MS), std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(
                     file, { { "E", std::numeric_limits<std::uint64_t>::max(), 2 } }, {}, DT_MS),
        std::invalid_argument);
    // A time step that is not positive.
    EXPECT_THROW(write_sonata_spikes(file, populations, {}, 0.0), std::invalid_argument);
    EXPECT_THROW(write_sonata_spikes(file, populations, {}, -0.1), std::invalid_argument);
    EXPECT_FALSE(fs::exists(file));
}

// The scale the writer is built for (10^8 spikes in bounded extra memory).
// Minutes and ~3 GiB of memory: run by hand with
//   test_sonata_spike_writer --gtest_also_run_disabled_tests --gtest_filter='*HundredMillion*'
TEST_F(SonataSpikeWriter, DISABLED_HundredMillionSpikes)
{
    std::vector<PopulationRange> populations;
    for (int p = 0; p < 200; ++p)
        populations.push_back({ "pop" + std::to_string(p), std::uint64_t(p) * 5000, 5000 });
    std::vector<SpikeEvent> spikes;
    spikes.reserve(100'000'000);
    std::uint64_t state = 12345;
    for (std::uint64_t step = 0; spikes.size() < 100'000'000; ++step) {
        // 10^6 neurons, about 1 in 10 firing per step, ascending gids.
        for (std::uint64_t gid = 0; gid < 1'000'000 && spikes.size() < 100'000'000;) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            gid += 1 + (state >> 33) % 19;
            if (gid < 1'000'000)
                spikes.push_back({ step, gid });
        }
    }
    const std::string file = path("spikes.h5");
    const auto start = std::chrono::steady_clock::now();
    write_sonata_spikes(file, populations, spikes, DT_MS);
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    std::cout << "wrote " << spikes.size() << " spikes, " << fs::file_size(file) << " bytes in "
              << seconds.count() << " s\n";
    if (python_with_h5py_available()) {
        const CommandResult result = check_layout(file, populations);
        EXPECT_EQ(result.exit_code, 0) << result.output;
        std::cout << result.output;
    }
}

} // namespace
