#include "sim/brain/nifti_volume.hpp"

#include <nifti2_io.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>

namespace dtb::brain {

namespace {

struct NiftiImageFree {
    void operator()(nifti_image* image) const { nifti_image_free(image); }
};
using NiftiImagePtr = std::unique_ptr<nifti_image, NiftiImageFree>;

VoxelToWorld from_dmat44(const nifti_dmat44& matrix)
{
    VoxelToWorld out;
    for (int row = 0; row < 3; ++row)
        for (int column = 0; column < 4; ++column)
            out.m[static_cast<std::size_t>(4 * row + column)] = matrix.m[row][column];
    return out;
}

nifti_dmat44 to_dmat44(const VoxelToWorld& affine)
{
    nifti_dmat44 matrix {};
    for (int row = 0; row < 3; ++row)
        for (int column = 0; column < 4; ++column)
            matrix.m[row][column] = affine.m[static_cast<std::size_t>(4 * row + column)];
    matrix.m[3][3] = 1;
    return matrix;
}

template <typename T>
void convert(const void* data, std::vector<double>& out)
{
    const T* typed = static_cast<const T*>(data);
    for (std::size_t n = 0; n < out.size(); ++n)
        out[n] = static_cast<double>(typed[n]);
}

} // namespace

double VoxelToWorld::voxel_volume_mm3() const
{
    const double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8])
        + m[2] * (m[4] * m[9] - m[5] * m[8]);
    return std::fabs(det);
}

VoxelToWorld VoxelToWorld::inverse() const
{
    const double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
    const double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    if (!std::isfinite(det) || std::fabs(det) < 1e-12)
        throw std::runtime_error("the voxel-to-world transform is singular (determinant " + std::to_string(det) + ")");
    const double r[9] = { (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
        (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det, (d * h - e * g) / det,
        (b * g - a * h) / det, (a * e - b * d) / det };
    VoxelToWorld out;
    for (int row = 0; row < 3; ++row) {
        const double* rr = r + 3 * row;
        out.m[static_cast<std::size_t>(4 * row + 0)] = rr[0];
        out.m[static_cast<std::size_t>(4 * row + 1)] = rr[1];
        out.m[static_cast<std::size_t>(4 * row + 2)] = rr[2];
        out.m[static_cast<std::size_t>(4 * row + 3)] = -(rr[0] * m[3] + rr[1] * m[7] + rr[2] * m[11]);
    }
    return out;
}

double NiftiVolume::value_at_world(const std::array<double, 3>& world, const VoxelToWorld& world_to_voxel,
    double outside) const
{
    const auto index = world_to_voxel.apply(world[0], world[1], world[2]);
    // Nearest voxel; a point exactly half-way rounds up (std::floor(x + 0.5)).
    const double i = std::floor(index[0] + 0.5), j = std::floor(index[1] + 0.5), k = std::floor(index[2] + 0.5);
    if (!(i >= 0 && j >= 0 && k >= 0 && i < static_cast<double>(nx) && j < static_cast<double>(ny)
            && k < static_cast<double>(nz)))
        return outside;
    return at(static_cast<std::int64_t>(i), static_cast<std::int64_t>(j), static_cast<std::int64_t>(k));
}

NiftiVolume read_nifti_volume(const std::string& path, const std::string& what)
{
    const std::string where = what + " " + path;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw std::runtime_error(where + ": cannot open: " + std::strerror(errno));
    if (!S_ISREG(info.st_mode))
        throw std::runtime_error(where + ": not a regular file");
    // The library prints its own diagnostics at level >= 1; we report instead.
    nifti_set_debug_level(0);
    if (is_nifti_file(path.c_str()) <= 0)
        throw std::runtime_error(where + ": not a NIfTI-1 or NIfTI-2 image (.nii or .nii.gz)");
    NiftiImagePtr image(nifti_image_read(path.c_str(), 1));
    if (!image || image->data == nullptr)
        throw std::runtime_error(where + ": unreadable NIfTI image (truncated, or a header the NIfTI library rejects)");
    for (int d = 4; d <= 7; ++d)
        if (image->dim[0] >= d && image->dim[d] > 1)
            throw std::runtime_error(where + ": has " + std::to_string(image->dim[0]) + " dimensions with dim["
                + std::to_string(d) + "] = " + std::to_string(image->dim[d]) + "; allowed: one 3-D volume");
    NiftiVolume volume;
    volume.path = path;
    volume.nx = std::max<std::int64_t>(image->nx, 1);
    volume.ny = image->dim[0] >= 2 ? std::max<std::int64_t>(image->ny, 1) : 1;
    volume.nz = image->dim[0] >= 3 ? std::max<std::int64_t>(image->nz, 1) : 1;
    const std::uint64_t count = static_cast<std::uint64_t>(volume.nx * volume.ny * volume.nz);
    if (count == 0 || static_cast<std::int64_t>(count) > image->nvox)
        throw std::runtime_error(where + ": inconsistent dimensions");
    volume.values.resize(count);
    switch (image->datatype) {
    case DT_UINT8: convert<std::uint8_t>(image->data, volume.values); break;
    case DT_INT8: convert<std::int8_t>(image->data, volume.values); break;
    case DT_INT16: convert<std::int16_t>(image->data, volume.values); break;
    case DT_UINT16: convert<std::uint16_t>(image->data, volume.values); break;
    case DT_INT32: convert<std::int32_t>(image->data, volume.values); break;
    case DT_UINT32: convert<std::uint32_t>(image->data, volume.values); break;
    case DT_INT64: convert<std::int64_t>(image->data, volume.values); break;
    case DT_UINT64: convert<std::uint64_t>(image->data, volume.values); break;
    case DT_FLOAT32: convert<float>(image->data, volume.values); break;
    case DT_FLOAT64: convert<double>(image->data, volume.values); break;
    default:
        throw std::runtime_error(where + ": voxel type " + nifti_datatype_string(image->datatype)
            + " is not supported; allowed: 8/16/32/64-bit integers, float32, float64");
    }
    // NIfTI: a slope of 0 means "no scaling".
    if (image->scl_slope != 0 && std::isfinite(image->scl_slope) && std::isfinite(image->scl_inter)
        && (image->scl_slope != 1 || image->scl_inter != 0))
        for (double& value : volume.values)
            value = image->scl_slope * value + image->scl_inter;

    if (image->sform_code > 0) {
        volume.voxel_to_world = from_dmat44(image->sto_xyz);
        volume.orientation_source = "sform";
    } else if (image->qform_code > 0) {
        volume.voxel_to_world = from_dmat44(image->qto_xyz);
        volume.orientation_source = "qform";
    } else {
        const double dx = image->dx > 0 ? image->dx : 1, dy = image->dy > 0 ? image->dy : 1,
                     dz = image->dz > 0 ? image->dz : 1;
        volume.voxel_to_world.m = { dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0 };
        volume.orientation_source = "pixdim";
    }
    for (double value : volume.voxel_to_world.m)
        if (!std::isfinite(value))
            throw std::runtime_error(where + ": the " + volume.orientation_source + " transform is not finite");
    try {
        (void)volume.voxel_to_world.inverse();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(where + ": " + e.what());
    }
    return volume;
}

void write_nifti_volume(const std::string& path, const NiftiVolume& volume, int nifti_version, bool integer_labels,
    bool with_sform)
{
    if (nifti_version != 1 && nifti_version != 2)
        throw std::invalid_argument("write_nifti_volume: nifti_version must be 1 or 2");
    const std::int64_t dims[8] = { 3, volume.nx, volume.ny, volume.nz, 1, 1, 1, 1 };
    nifti_set_debug_level(0);
    NiftiImagePtr image(nifti_make_new_nim(dims, integer_labels ? DT_INT32 : DT_FLOAT64, 1));
    if (!image)
        throw std::runtime_error(path + ": nifti_make_new_nim failed");
    const std::size_t count = volume.values.size();
    if (integer_labels) {
        auto* data = static_cast<std::int32_t*>(image->data);
        for (std::size_t n = 0; n < count; ++n)
            data[n] = static_cast<std::int32_t>(std::llround(volume.values[n]));
    } else {
        std::memcpy(image->data, volume.values.data(), count * sizeof(double));
    }
    const nifti_dmat44 matrix = to_dmat44(volume.voxel_to_world);
    image->sform_code = with_sform ? NIFTI_XFORM_SCANNER_ANAT : 0;
    image->sto_xyz = matrix;
    image->sto_ijk = nifti_dmat44_inverse(matrix);
    image->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    double dx = 1, dy = 1, dz = 1;
    nifti_dmat44_to_quatern(matrix, &image->quatern_b, &image->quatern_c, &image->quatern_d, &image->qoffset_x,
        &image->qoffset_y, &image->qoffset_z, &dx, &dy, &dz, &image->qfac);
    image->dx = image->pixdim[1] = dx;
    image->dy = image->pixdim[2] = dy;
    image->dz = image->pixdim[3] = dz;
    image->qto_xyz = nifti_quatern_to_dmat44(image->quatern_b, image->quatern_c, image->quatern_d, image->qoffset_x,
        image->qoffset_y, image->qoffset_z, dx, dy, dz, image->qfac);
    image->xyz_units = NIFTI_UNITS_MM;
    image->nifti_type = nifti_version == 2 ? NIFTI_FTYPE_NIFTI2_1 : NIFTI_FTYPE_NIFTI1_1;
    if (nifti_set_filenames(image.get(), path.c_str(), 0, 1) != 0)
        throw std::runtime_error(path + ": not a NIfTI file name (.nii or .nii.gz)");
    ::remove(path.c_str());
    nifti_image_write(image.get());
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw std::runtime_error(path + ": nifti_image_write did not write the file");
}

} // namespace dtb::brain
