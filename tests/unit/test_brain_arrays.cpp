// The brain arrays file (sim/brain_arrays.hpp): what is written is read back
// unchanged, and every inconsistency is refused with the file and dataset.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "sim/brain_arrays.hpp"
#include "support/brain_fixtures.hpp"

namespace dtb::sim {
namespace {

// Three voxels; voxel 2 has no long-range row.
BrainArrays three_voxels()
{
    BrainArrays a;
    a.count_e = { 80, 160, 40 };
    a.count_i = { 20, 40, 10 };
    a.indegree = { 100, 90, 110 };
    a.centre_mm = { 0, 0, 0, 6, 0, 0, -3, 4, 12.5 };
    a.label = { 1, 1, 7 };
    a.grey_matter = { 216, 432, 108 };
    a.density = { 1, 0.9, 1.1 };
    a.row_ptr = { 0, 2, 3, 3 };
    a.source = { 1, 2, 0 };
    a.weight = { 0.25, 0.75, 1.0 };
    a.delay_ms = { 2.0, 4.5, 2.0 };
    a.connectivity_kind = "dti";
    a.velocity_m_per_s = 3;
    a.voxel_mm = 6;
    a.region_label = { 1, 7 };
    a.region_name = { "Precentral_L", "Frontal_Sup_Orb_L" };
    return a;
}

std::string check_message(const BrainArrays& a)
{
    try {
        check_brain_arrays(a, "x.h5");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(BrainArrays, RoundTripKeepsEveryField)
{
    test::TempDirectory dir;
    const BrainArrays a = three_voxels();
    write_brain_arrays(dir.file("brain.h5"), a);
    const BrainArrays b = read_brain_arrays(dir.file("brain.h5"));
    EXPECT_EQ(b.count_e, a.count_e);
    EXPECT_EQ(b.count_i, a.count_i);
    EXPECT_EQ(b.indegree, a.indegree);
    EXPECT_EQ(b.centre_mm, a.centre_mm);
    EXPECT_EQ(b.label, a.label);
    EXPECT_EQ(b.grey_matter, a.grey_matter);
    EXPECT_EQ(b.density, a.density);
    EXPECT_EQ(b.row_ptr, a.row_ptr);
    EXPECT_EQ(b.source, a.source);
    EXPECT_EQ(b.weight, a.weight);
    EXPECT_EQ(b.delay_ms, a.delay_ms);
    EXPECT_EQ(b.connectivity_kind, a.connectivity_kind);
    EXPECT_EQ(b.velocity_m_per_s, a.velocity_m_per_s);
    EXPECT_EQ(b.voxel_mm, a.voxel_mm);
    EXPECT_EQ(b.region_label, a.region_label);
    EXPECT_EQ(b.region_name, a.region_name);
    EXPECT_EQ(b.num_voxels(), 3u);
    // Only the final file remains (no temporary name left behind).
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 1u);
}

TEST(BrainArrays, LargeArraysRoundTripThroughCompressedChunks)
{
    // More entries than one chunk (2^16), so the chunked + deflate path runs.
    test::TempDirectory dir;
    BrainArrays a;
    const std::size_t v = 70000;
    a.count_e.assign(v, 80);
    a.count_i.assign(v, 20);
    a.indegree.assign(v, 100);
    a.label.assign(v, 3);
    a.grey_matter.assign(v, 27);
    a.density.assign(v, 1);
    for (std::size_t i = 0; i < v; ++i) {
        a.centre_mm.insert(a.centre_mm.end(), { double(i), 0.5 * double(i), -double(i) });
        a.row_ptr.push_back(i);
        a.source.push_back(static_cast<std::uint32_t>((i + 1) % v));
        a.weight.push_back(1.0);
        a.delay_ms.push_back(1.0 + double(i % 50));
    }
    a.row_ptr.push_back(v);
    a.connectivity_kind = "exponential_distance_rule";
    a.velocity_m_per_s = 3;
    write_brain_arrays(dir.file("big.h5"), a);
    const BrainArrays b = read_brain_arrays(dir.file("big.h5"));
    EXPECT_EQ(b.centre_mm, a.centre_mm);
    EXPECT_EQ(b.source, a.source);
    EXPECT_EQ(b.delay_ms, a.delay_ms);
    EXPECT_TRUE(b.region_label.empty());
}

TEST(BrainArrays, MismatchedSizesNameTheDataset)
{
    struct Case {
        const char* dataset;
        std::function<void(BrainArrays&)> spoil;
    };
    const std::vector<Case> cases = {
        { "/voxels/count_i", [](BrainArrays& a) { a.count_i.pop_back(); } },
        { "/voxels/indegree", [](BrainArrays& a) { a.indegree.push_back(1); } },
        { "/voxels/centre_mm", [](BrainArrays& a) { a.centre_mm.pop_back(); } },
        { "/voxels/label", [](BrainArrays& a) { a.label.clear(); } },
        { "/voxels/grey_matter", [](BrainArrays& a) { a.grey_matter.pop_back(); } },
        { "/voxels/density", [](BrainArrays& a) { a.density.push_back(1); } },
        { "/connectivity/row_ptr", [](BrainArrays& a) { a.row_ptr.pop_back(); } },
        { "/connectivity/weight", [](BrainArrays& a) { a.weight.pop_back(); } },
        { "/connectivity/delay_ms", [](BrainArrays& a) { a.delay_ms.push_back(1); } },
        { "/regions/name", [](BrainArrays& a) { a.region_name.pop_back(); } },
    };
    for (const auto& c : cases) {
        BrainArrays a = three_voxels();
        c.spoil(a);
        const std::string message = check_message(a);
        EXPECT_NE(message.find("x.h5"), std::string::npos) << message;
        EXPECT_NE(message.find(c.dataset), std::string::npos) << "expected " << c.dataset << " in: " << message;
    }
}

TEST(BrainArrays, InconsistentValuesAreRefused)
{
    struct Case {
        const char* expected;
        std::function<void(BrainArrays&)> spoil;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<Case> cases = {
        { "/connectivity/weight: row 0 sums to", [](BrainArrays& a) { a.weight[0] = 0.2; } },
        { "/connectivity/weight: entry 0", [nan](BrainArrays& a) { a.weight[0] = nan; } },
        { "/connectivity/weight: entry 1", [](BrainArrays& a) { a.weight[1] = -0.1; } },
        { "/connectivity/source: row 1 lists its own voxel", [](BrainArrays& a) { a.source[2] = 1; } },
        { "/connectivity/source: entry 1 is voxel 3", [](BrainArrays& a) { a.source[1] = 3; } },
        { "/connectivity/source: row 0 is not strictly ascending", [](BrainArrays& a) { a.source[1] = 1; } },
        { "/connectivity/delay_ms: entry 2", [](BrainArrays& a) { a.delay_ms[2] = 0; } },
        { "/connectivity/row_ptr: entry 0", [](BrainArrays& a) { a.row_ptr[0] = 1; } },
        { "/connectivity/row_ptr: decreases", [](BrainArrays& a) { a.row_ptr = { 0, 2, 1, 3 }; } },
        { "/voxels/grey_matter: entry 1", [](BrainArrays& a) { a.grey_matter[1] = -1; } },
        { "/voxels/centre_mm: entry 2", [nan](BrainArrays& a) { a.centre_mm[8] = nan; } },
        { "/connectivity attribute kind", [](BrainArrays& a) { a.connectivity_kind = "random"; } },
        { "/connectivity attribute velocity_m_per_s", [](BrainArrays& a) { a.velocity_m_per_s = 0; } },
        { "/voxels/count_e: no voxels", [](BrainArrays& a) { a = BrainArrays(); } },
    };
    for (const auto& c : cases) {
        BrainArrays a = three_voxels();
        c.spoil(a);
        const std::string message = check_message(a);
        EXPECT_NE(message.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in: " << message;
    }
    EXPECT_EQ(check_message(three_voxels()), "");
}

TEST(BrainArrays, WriteRefusesBadArraysAndLeavesNoFile)
{
    test::TempDirectory dir;
    BrainArrays a = three_voxels();
    a.weight[0] = 0.5;
    EXPECT_THROW(write_brain_arrays(dir.file("brain.h5"), a), std::runtime_error);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(BrainArrays, ReadErrorsNameTheFile)
{
    test::TempDirectory dir;
    try {
        read_brain_arrays(dir.file("missing.h5"));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.h5"), std::string::npos) << e.what();
    }
    test::write_text_file(dir.file("text.h5"), "not hdf5\n");
    try {
        read_brain_arrays(dir.file("text.h5"));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("text.h5"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace dtb::sim
