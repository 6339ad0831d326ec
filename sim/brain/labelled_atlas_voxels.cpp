#include "sim/brain/labelled_atlas_voxels.hpp"

namespace dtb::brain {

namespace {

constexpr std::int64_t CUBE_INDEX_OFFSET = std::int64_t(1) << 20;
constexpr std::uint64_t CUBE_INDEX_MASK = (std::uint64_t(1) << 21) - 1;

} // namespace

std::uint64_t grid_cube_key(const std::array<double, 3>& world, double voxel_mm)
{
    std::uint64_t key = 0;
    for (int axis = 2; axis >= 0; --axis) {
        const double index = std::floor(world[static_cast<std::size_t>(axis)] / voxel_mm + 0.5 + 1e-9);
        if (!(std::fabs(index) < static_cast<double>(CUBE_INDEX_OFFSET)))
            throw std::runtime_error("world coordinate " + std::to_string(world[static_cast<std::size_t>(axis)])
                + " mm is too far from the origin for a grid of " + std::to_string(voxel_mm) + " mm cubes");
        key = (key << 21) | static_cast<std::uint64_t>(static_cast<std::int64_t>(index) + CUBE_INDEX_OFFSET);
    }
    return key;
}

std::array<double, 3> grid_cube_centre(std::uint64_t key, double voxel_mm)
{
    std::array<double, 3> centre {};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const auto index = static_cast<std::int64_t>((key >> (21 * axis)) & CUBE_INDEX_MASK) - CUBE_INDEX_OFFSET;
        centre[axis] = static_cast<double>(index) * voxel_mm;
    }
    return centre;
}

} // namespace dtb::brain
