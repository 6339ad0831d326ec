#pragma once
// NIfTI images (NIfTI-1 or NIfTI-2, .nii or .nii.gz) in memory: a 3-D
// volume (its voxel values as doubles), a 4-D time series (x, y, z, time;
// kept in its stored voxel type), and the affine map from voxel indices
// (i, j, k) to world coordinates in mm.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dtb::brain {

/// x = M [i j k 1]^T: 3 rows of 4 (the last row of a NIfTI affine is 0 0 0 1).
struct VoxelToWorld {
    std::array<double, 12> m { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0 };

    std::array<double, 3> apply(double i, double j, double k) const
    {
        return { m[0] * i + m[1] * j + m[2] * k + m[3], m[4] * i + m[5] * j + m[6] * k + m[7],
            m[8] * i + m[9] * j + m[10] * k + m[11] };
    }
    /// |det| of the 3x3 part: the volume of one voxel in mm^3.
    double voxel_volume_mm3() const;
    /// The inverse map (world mm to fractional voxel indices); throws
    /// std::runtime_error for a singular matrix.
    VoxelToWorld inverse() const;
};

struct NiftiVolume {
    std::int64_t nx = 0, ny = 0, nz = 0;
    std::vector<double> values; // index i + nx (j + ny k), scl_slope/scl_inter applied
    VoxelToWorld voxel_to_world;
    // Which header transform gave voxel_to_world: "sform", "qform" or
    // "pixdim" (neither set: voxel sizes along the axes, origin at voxel 0).
    std::string orientation_source;
    std::string path;

    std::uint64_t num_voxels() const { return values.size(); }
    double at(std::int64_t i, std::int64_t j, std::int64_t k) const
    {
        return values[static_cast<std::size_t>(i + nx * (j + ny * k))];
    }
    /// The value of the voxel nearest to world point (x, y, z), or
    /// `outside` when the point lies outside the image.
    double value_at_world(const std::array<double, 3>& world, const VoxelToWorld& world_to_voxel,
        double outside) const;
};

/// A 4-D image: nt volumes on one grid. The voxel data stay in the file's
/// voxel type (a 91 x 109 x 91 x 200 float32 image takes its 720 MB, not
/// twice that as doubles); at() converts one value.
class NiftiTimeSeries {
public:
    std::int64_t nx = 0, ny = 0, nz = 0, nt = 0;
    VoxelToWorld voxel_to_world;
    std::string orientation_source; // as for NiftiVolume
    // pixdim[4] in seconds (the header's time unit converted; a header without
    // a time unit is taken as seconds); 0 when the header gives no step.
    double time_step_s = 0;
    std::string path;

    std::uint64_t num_voxels() const { return static_cast<std::uint64_t>(nx * ny * nz); }
    /// The value of voxel i + nx (j + ny k) in volume t, scl_slope/scl_inter applied.
    double at(std::uint64_t voxel, std::int64_t t) const;

private:
    friend NiftiTimeSeries read_nifti_time_series(const std::string& path, const std::string& what);
    std::shared_ptr<const void> image_; // owns the library's image, which owns data_
    const void* data_ = nullptr;
    int datatype_ = 0;
    double slope_ = 1, inter_ = 0;
};

/// Reads a 3-D image (a 4-D one with a single volume is accepted). Uses the
/// sform when its code is > 0, else the qform when its code is > 0, else the
/// voxel sizes (NIfTI "method 1"). Throws std::runtime_error naming the file
/// (`what` says which input it is, e.g. "--atlas").
NiftiVolume read_nifti_volume(const std::string& path, const std::string& what);

/// Reads a 4-D image (a 3-D one is one volume); dims 5 to 7 must be 1.
/// Orientation as for read_nifti_volume. Unlike read_nifti_volume (whose
/// library call turns NaN and inf into 0), values are kept as stored, so
/// masked-out (NaN) voxels stay recognisable. Throws std::runtime_error naming the
/// file (`what` says which input it is).
NiftiTimeSeries read_nifti_time_series(const std::string& path, const std::string& what);

/// Writes `volume` as NIfTI-1 (nifti_version 1) or NIfTI-2 (2) with the
/// affine as qform and, unless `with_sform` is false, as sform (code 1,
/// scanner anatomical); ".gz" compresses. `integer_labels` stores int32,
/// otherwise float64. The qform holds rotations only: an affine with shear
/// survives only in the sform. For tests and tools.
void write_nifti_volume(const std::string& path, const NiftiVolume& volume, int nifti_version,
    bool integer_labels, bool with_sform = true);

/// Writes a 4-D float64 NIfTI-1 image on the grid of `grid` (its size and
/// affine; its values are not used): values[voxel + nx ny nz t] for nt
/// volumes, pixdim[4] = time_step_s in seconds. For tests and tools.
void write_nifti_time_series(const std::string& path, const NiftiVolume& grid, std::int64_t nt,
    const std::vector<double>& values, double time_step_s);

} // namespace dtb::brain
