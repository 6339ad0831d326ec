#include "sim/brain/nifti_volume.hpp"

#include <nifti2_io.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <memory>
#include <tuple>
#include <utility>
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

// One stored value as a double (before scl_slope/scl_inter); `datatype` is
// one that check_datatype accepted.
double stored_value(const void* data, int datatype, std::size_t n)
{
    switch (datatype) {
    case DT_UINT8: return static_cast<const std::uint8_t*>(data)[n];
    case DT_INT8: return static_cast<const std::int8_t*>(data)[n];
    case DT_INT16: return static_cast<const std::int16_t*>(data)[n];
    case DT_UINT16: return static_cast<const std::uint16_t*>(data)[n];
    case DT_INT32: return static_cast<const std::int32_t*>(data)[n];
    case DT_UINT32: return static_cast<const std::uint32_t*>(data)[n];
    case DT_INT64: return static_cast<double>(static_cast<const std::int64_t*>(data)[n]);
    case DT_UINT64: return static_cast<double>(static_cast<const std::uint64_t*>(data)[n]);
    case DT_FLOAT32: return static_cast<const float*>(data)[n];
    default: return static_cast<const double*>(data)[n];
    }
}

void check_datatype(const nifti_image& image, const std::string& where)
{
    switch (image.datatype) {
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_INT32: case DT_UINT32: case DT_INT64:
    case DT_UINT64: case DT_FLOAT32: case DT_FLOAT64:
        return;
    default:
        throw std::runtime_error(where + ": voxel type " + nifti_datatype_string(image.datatype)
            + " is not supported; allowed: 8/16/32/64-bit integers, float32, float64");
    }
}

// The linear map stored value -> voxel value: NIfTI's scl_slope and
// scl_inter, where a slope of 0 means "no scaling".
struct ValueScaling {
    double slope = 1, inter = 0;
};

ValueScaling value_scaling(const nifti_image& image)
{
    if (image.scl_slope != 0 && std::isfinite(image.scl_slope) && std::isfinite(image.scl_inter))
        return { image.scl_slope, image.scl_inter };
    return {};
}

// The data of `image` (whose header nifti_image_open read) as stored: the
// library's own nifti_image_load would replace NaN and inf by 0, and a time
// series must tell a missing value from a 0.
void load_data_as_stored(nifti_image& image, znzFile& file, const std::string& where)
{
    // fseek gives 0 and gzseek the new offset on success, both -1 on failure.
    if (znzseek(file, static_cast<long>(image.iname_offset), SEEK_SET) < 0)
        throw std::runtime_error(where + ": cannot seek to the voxel data (truncated?)");
    const auto bytes = static_cast<std::size_t>(nifti_get_volsize(&image));
    image.data = std::calloc(1, bytes);
    if (image.data == nullptr)
        throw std::runtime_error(where + ": not enough memory for " + std::to_string(bytes) + " bytes of voxel data");
    const std::size_t read = znzread(image.data, 1, bytes, file);
    if (read != bytes)
        throw std::runtime_error(where + ": unreadable NIfTI image (truncated: " + std::to_string(read) + " of "
            + std::to_string(bytes) + " bytes of voxel data)");
    if (image.byteorder != nifti_short_order() && image.swapsize > 1)
        nifti_swap_Nbytes(image.nvox, image.swapsize, image.data);
}

// Reads the header and the data of `path`; `where` starts every message.
// `as_stored`: keep non-finite values (see load_data_as_stored).
NiftiImagePtr read_image(const std::string& path, const std::string& where, bool as_stored = false)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw std::runtime_error(where + ": cannot open: " + std::strerror(errno));
    if (!S_ISREG(info.st_mode))
        throw std::runtime_error(where + ": not a regular file");
    // The library prints its own diagnostics at level >= 1; we report instead.
    nifti_set_debug_level(0);
    if (is_nifti_file(path.c_str()) <= 0)
        throw std::runtime_error(where + ": not a NIfTI-1 or NIfTI-2 image (.nii or .nii.gz)");
    const std::string unreadable = where + ": unreadable NIfTI image (truncated, or a header the NIfTI library rejects)";
    if (!as_stored) {
        NiftiImagePtr image(nifti_image_read(path.c_str(), 1));
        if (!image || image->data == nullptr)
            throw std::runtime_error(unreadable);
        check_datatype(*image, where);
        return image;
    }
    nifti_image* header = nullptr;
    char mode[] = "rb";
    znzFile file = nifti_image_open(path.c_str(), mode, &header);
    NiftiImagePtr image(header);
    if (!image || znz_isnull(file)) {
        if (!znz_isnull(file))
            znzclose(file);
        throw std::runtime_error(unreadable);
    }
    try {
        check_datatype(*image, where);
        load_data_as_stored(*image, file, where);
    } catch (...) {
        znzclose(file);
        throw;
    }
    znzclose(file);
    return image;
}

// The spatial size (nx, ny, nz) of `image`, each >= 1.
std::tuple<std::int64_t, std::int64_t, std::int64_t> spatial_dims(const nifti_image& image)
{
    return { std::max<std::int64_t>(image.nx, 1), image.dim[0] >= 2 ? std::max<std::int64_t>(image.ny, 1) : 1,
        image.dim[0] >= 3 ? std::max<std::int64_t>(image.nz, 1) : 1 };
}

// Throws unless dims 5..7 (and, unless `allow_time`, 4) are 1.
void check_no_extra_dims(const nifti_image& image, const std::string& where, bool allow_time, const char* allowed)
{
    for (int d = allow_time ? 5 : 4; d <= 7; ++d)
        if (image.dim[0] >= d && image.dim[d] > 1)
            throw std::runtime_error(where + ": has " + std::to_string(image.dim[0]) + " dimensions with dim["
                + std::to_string(d) + "] = " + std::to_string(image.dim[d]) + "; allowed: " + allowed);
}

// The sform when its code is > 0, else the qform when its code is > 0, else
// the voxel sizes; checked to be finite and invertible.
std::pair<VoxelToWorld, std::string> voxel_to_world_of(const nifti_image& image, const std::string& where)
{
    std::pair<VoxelToWorld, std::string> out;
    if (image.sform_code > 0) {
        out = { from_dmat44(image.sto_xyz), "sform" };
    } else if (image.qform_code > 0) {
        out = { from_dmat44(image.qto_xyz), "qform" };
    } else {
        const double dx = image.dx > 0 ? image.dx : 1, dy = image.dy > 0 ? image.dy : 1,
                     dz = image.dz > 0 ? image.dz : 1;
        out.first.m = { dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0 };
        out.second = "pixdim";
    }
    for (double value : out.first.m)
        if (!std::isfinite(value))
            throw std::runtime_error(where + ": the " + out.second + " transform is not finite");
    try {
        (void)out.first.inverse();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(where + ": " + e.what());
    }
    return out;
}

// Whether the header at `path` stores pixdim[4] = 0 ("no TR"): the library's
// image says 1 then. (0 reads the same in either byte order.)
bool stores_no_time_step(const std::string& path)
{
    int version = 0;
    void* header = nifti_read_header(path.c_str(), &version, 1);
    if (header == nullptr)
        return false;
    const double stored = version == 2 ? static_cast<const nifti_2_header*>(header)->pixdim[4]
                                       : static_cast<const nifti_1_header*>(header)->pixdim[4];
    std::free(header);
    return stored == 0;
}

// pixdim[4] in seconds from the header's time unit (ms and us converted; no
// unit is taken as seconds, as most tools write it); 0 when not positive or
// stored as 0.
double time_step_seconds(const nifti_image& image, const std::string& path)
{
    if (!(image.dt > 0) || !std::isfinite(image.dt) || stores_no_time_step(path))
        return 0;
    switch (image.time_units) {
    case NIFTI_UNITS_MSEC: return image.dt * 1e-3;
    case NIFTI_UNITS_USEC: return image.dt * 1e-6;
    default: return image.dt;
    }
}

// Fills the nifti_image of a new file and writes it (`path` ending in .gz is
// compressed).
void write_image(const std::string& path, nifti_image& image, const VoxelToWorld& affine, int nifti_version,
    bool with_sform)
{
    const nifti_dmat44 matrix = to_dmat44(affine);
    image.sform_code = with_sform ? NIFTI_XFORM_SCANNER_ANAT : 0;
    image.sto_xyz = matrix;
    image.sto_ijk = nifti_dmat44_inverse(matrix);
    image.qform_code = NIFTI_XFORM_SCANNER_ANAT;
    double dx = 1, dy = 1, dz = 1;
    nifti_dmat44_to_quatern(matrix, &image.quatern_b, &image.quatern_c, &image.quatern_d, &image.qoffset_x,
        &image.qoffset_y, &image.qoffset_z, &dx, &dy, &dz, &image.qfac);
    image.dx = image.pixdim[1] = dx;
    image.dy = image.pixdim[2] = dy;
    image.dz = image.pixdim[3] = dz;
    image.qto_xyz = nifti_quatern_to_dmat44(image.quatern_b, image.quatern_c, image.quatern_d, image.qoffset_x,
        image.qoffset_y, image.qoffset_z, dx, dy, dz, image.qfac);
    image.nifti_type = nifti_version == 2 ? NIFTI_FTYPE_NIFTI2_1 : NIFTI_FTYPE_NIFTI1_1;
    if (nifti_set_filenames(&image, path.c_str(), 0, 1) != 0)
        throw std::runtime_error(path + ": not a NIfTI file name (.nii or .nii.gz)");
    ::remove(path.c_str());
    nifti_image_write(&image);
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw std::runtime_error(path + ": nifti_image_write did not write the file");
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
    const NiftiImagePtr image = read_image(path, where);
    check_no_extra_dims(*image, where, false, "one 3-D volume");
    NiftiVolume volume;
    volume.path = path;
    std::tie(volume.nx, volume.ny, volume.nz) = spatial_dims(*image);
    const std::uint64_t count = static_cast<std::uint64_t>(volume.nx * volume.ny * volume.nz);
    if (count == 0 || static_cast<std::int64_t>(count) > image->nvox)
        throw std::runtime_error(where + ": inconsistent dimensions");
    volume.values.resize(count);
    const ValueScaling scaling = value_scaling(*image);
    for (std::size_t n = 0; n < count; ++n)
        volume.values[n] = scaling.slope * stored_value(image->data, image->datatype, n) + scaling.inter;
    std::tie(volume.voxel_to_world, volume.orientation_source) = voxel_to_world_of(*image, where);
    return volume;
}

NiftiTimeSeries read_nifti_time_series(const std::string& path, const std::string& what)
{
    const std::string where = what + " " + path;
    NiftiImagePtr image = read_image(path, where, true);
    check_no_extra_dims(*image, where, true, "a 4-D image (x, y, z, time)");
    NiftiTimeSeries series;
    series.path = path;
    std::tie(series.nx, series.ny, series.nz) = spatial_dims(*image);
    series.nt = image->dim[0] >= 4 ? std::max<std::int64_t>(image->nt, 1) : 1;
    if (static_cast<std::int64_t>(series.num_voxels()) * series.nt > image->nvox)
        throw std::runtime_error(where + ": inconsistent dimensions");
    std::tie(series.voxel_to_world, series.orientation_source) = voxel_to_world_of(*image, where);
    series.time_step_s = time_step_seconds(*image, path);
    const ValueScaling scaling = value_scaling(*image);
    series.slope_ = scaling.slope;
    series.inter_ = scaling.inter;
    series.datatype_ = image->datatype;
    series.data_ = image->data;
    series.image_ = std::shared_ptr<const void>(image.release(), [](const void* p) {
        nifti_image_free(static_cast<nifti_image*>(const_cast<void*>(p)));
    });
    return series;
}

double NiftiTimeSeries::at(std::uint64_t voxel, std::int64_t t) const
{
    const std::size_t n = static_cast<std::size_t>(voxel + num_voxels() * static_cast<std::uint64_t>(t));
    return slope_ * stored_value(data_, datatype_, n) + inter_;
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
    image->xyz_units = NIFTI_UNITS_MM;
    write_image(path, *image, volume.voxel_to_world, nifti_version, with_sform);
}

void write_nifti_time_series(const std::string& path, const NiftiVolume& grid, std::int64_t nt,
    const std::vector<double>& values, double time_step_s)
{
    const auto voxels = static_cast<std::size_t>(grid.nx * grid.ny * grid.nz);
    if (nt < 1 || values.size() != voxels * static_cast<std::size_t>(nt))
        throw std::invalid_argument("write_nifti_time_series: values must hold nx ny nz x nt entries");
    const std::int64_t dims[8] = { 4, grid.nx, grid.ny, grid.nz, nt, 1, 1, 1 };
    nifti_set_debug_level(0);
    NiftiImagePtr image(nifti_make_new_nim(dims, DT_FLOAT64, 1));
    if (!image)
        throw std::runtime_error(path + ": nifti_make_new_nim failed");
    std::memcpy(image->data, values.data(), values.size() * sizeof(double));
    image->dt = image->pixdim[4] = time_step_s;
    image->xyz_units = NIFTI_UNITS_MM;
    image->time_units = NIFTI_UNITS_SEC;
    write_image(path, *image, grid.voxel_to_world, 1, true);
}

} // namespace dtb::brain
