#pragma once
// The two ways the builder groups atlas voxels, shared with everything that
// must group them the same way (the builder's voxel table, and observed BOLD
// averaged over a model's voxels, atlas_footprint.hpp):
// - the labelled voxels of an atlas (value != 0, an integer label);
// - the voxel-level grid: cubes of edge voxel_mm whose centres lie at integer
//   multiples of voxel_mm in world coordinates.
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/brain/nifti_volume.hpp"

namespace dtb::brain {

/// An atlas value further than this from an integer is not a label (float
/// atlases store labels as e.g. 12.0, sometimes with rounding noise).
constexpr double ATLAS_LABEL_TOLERANCE = 1e-3;

/// Calls visit(voxel, label) for every atlas voxel whose value is not 0, in
/// storage order; `voxel` is the flat index i + nx (j + ny k). Returns the
/// number of labelled voxels. A value that is not an integer label throws
/// std::runtime_error "<what> <path>: voxel (i, j, k) holds ...".
template <typename Visit>
std::uint64_t for_each_labelled_voxel(const NiftiVolume& atlas, const std::string& what, Visit&& visit)
{
    std::uint64_t labelled = 0;
    for (std::int64_t k = 0; k < atlas.nz; ++k)
        for (std::int64_t j = 0; j < atlas.ny; ++j)
            for (std::int64_t i = 0; i < atlas.nx; ++i) {
                const std::uint64_t voxel = static_cast<std::uint64_t>(i + atlas.nx * (j + atlas.ny * k));
                const double value = atlas.values[voxel];
                if (value == 0)
                    continue;
                const double rounded = std::nearbyint(value);
                if (!std::isfinite(value) || std::fabs(value - rounded) > ATLAS_LABEL_TOLERANCE)
                    throw std::runtime_error(what + " " + atlas.path + ": voxel (" + std::to_string(i) + ", "
                        + std::to_string(j) + ", " + std::to_string(k) + ") holds " + std::to_string(value)
                        + "; allowed: integer labels (0 = background)");
                ++labelled;
                visit(voxel, static_cast<std::int64_t>(rounded));
            }
    return labelled;
}

/// The cube of the voxel-level grid (edge voxel_mm) holding world point
/// `world`, as a key: the cube indices n = floor(x / S + 1/2) per axis packed
/// into 3 x 21 bits, z most significant, so that ordering keys orders cubes
/// by (z, y, x). A point exactly half-way goes to the upper cube; a small
/// offset keeps points meant to lie on a boundary from flipping with
/// rounding noise. Throws std::runtime_error for |n| >= 2^20.
std::uint64_t grid_cube_key(const std::array<double, 3>& world, double voxel_mm);

/// The centre (world mm) of the cube with key `key`.
std::array<double, 3> grid_cube_centre(std::uint64_t key, double voxel_mm);

} // namespace dtb::brain
