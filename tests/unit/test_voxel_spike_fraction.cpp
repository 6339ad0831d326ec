// The voxel spike fraction: spikes counted per voxel (E and I together) per
// 1 ms bin of a window, divided by the voxel's neuron count.
#include <gtest/gtest.h>

#include <vector>

#include "assimilation/voxel_spike_fraction.hpp"

namespace {

using dtb::assimilation::VoxelSpikeFraction;
using dtb::sim::PopulationRange;
using dtb::sim::SpikeEvent;
using dtb::sim::VoxelSlices;

VoxelSpikeFraction two_voxels()
{
    // E: voxel 0 = E[0, 6), voxel 1 = E[6, 10); I: voxel 0 = I[0, 3), voxel 1 = I[3, 5).
    return VoxelSpikeFraction({PopulationRange{"E", 0, 10}, PopulationRange{"I", 10, 5}},
        {VoxelSlices::from_counts({6, 4}), VoxelSlices::from_counts({3, 2})}, 0.1);
}

TEST(VoxelSpikeFraction, CountsPerVoxelAndMillisecond)
{
    auto fraction = two_voxels();
    EXPECT_EQ(fraction.voxel_sizes(), (std::vector<std::uint64_t>{9, 6}));
    fraction.start_window(100, 3); // steps 100..129 = 3 bins of 10 steps
    fraction.on_interval(90, 20,
        {
            SpikeEvent{95, 0},  // before the window: ignored
            SpikeEvent{100, 0}, // bin 0, voxel 0 (E)
            SpikeEvent{100, 7}, // bin 0, voxel 1 (E)
            SpikeEvent{105, 11}, // bin 0, voxel 0 (I local 1)
            SpikeEvent{109, 14}, // bin 0, voxel 1 (I local 4)
            SpikeEvent{110, 5}, // bin 1, voxel 0
        });
    fraction.on_interval(110, 20,
        {
            SpikeEvent{112, 12}, // bin 1, voxel 0 (I local 2)
            SpikeEvent{129, 9},  // bin 2, voxel 1
            SpikeEvent{130, 1},  // after the window: ignored
        });
    EXPECT_EQ(fraction.counts(), (std::vector<std::uint64_t>{2, 2, 2, 0, 0, 1}));
    const auto f = fraction.fractions();
    ASSERT_EQ(f.size(), 6u);
    EXPECT_DOUBLE_EQ(f[0], 2.0 / 9);
    EXPECT_DOUBLE_EQ(f[1], 2.0 / 6);
    EXPECT_DOUBLE_EQ(f[2], 2.0 / 9);
    EXPECT_DOUBLE_EQ(f[3], 0.0);
    EXPECT_DOUBLE_EQ(f[5], 1.0 / 6);
}

TEST(VoxelSpikeFraction, NewWindowClearsCounts)
{
    auto fraction = two_voxels();
    fraction.start_window(0, 1);
    fraction.on_interval(0, 10, {SpikeEvent{3, 2}});
    EXPECT_EQ(fraction.counts()[0], 1u);
    fraction.start_window(10, 2);
    EXPECT_EQ(fraction.counts(), (std::vector<std::uint64_t>{0, 0, 0, 0}));
}

TEST(VoxelSpikeFraction, RejectsTimeStepsThatDoNotDivideOneMillisecond)
{
    EXPECT_THROW(VoxelSpikeFraction({PopulationRange{"E", 0, 2}}, {VoxelSlices::from_counts({2})}, 0.3),
        std::invalid_argument);
}

} // namespace
