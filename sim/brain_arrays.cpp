#include "sim/brain_arrays.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/hdf5_support.hpp"
#include "sim/staged_file.hpp"

namespace dtb::sim {

namespace {

// A non-empty row of the connectivity must sum to 1 within this tolerance
// (the writer normalises in double precision, so 1e-9 leaves ample room).
constexpr double ROW_SUM_TOLERANCE = 1e-9;
// 2^16 elements per chunk (512 KiB of doubles): big enough for deflate, small
// enough for HDF5's default 1 MiB chunk cache.
constexpr hsize_t CHUNK_ELEMENTS = hsize_t(1) << 16;

[[noreturn]] void fail(const std::string& context, const std::string& dataset, const std::string& message)
{
    throw std::runtime_error(context + ": " + dataset + ": " + message);
}

// --- checks ------------------------------------------------------------------

template <typename T>
void check_size(const std::string& context, const std::string& dataset, const std::vector<T>& values,
    std::size_t expected, const std::string& expected_text)
{
    if (values.size() != expected)
        fail(context, dataset, "has " + std::to_string(values.size()) + " entries, expected " + expected_text
                + " = " + std::to_string(expected));
}

void check_finite_non_negative(const std::string& context, const std::string& dataset,
    const std::vector<double>& values, bool strictly_positive)
{
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double value = values[i];
        if (!std::isfinite(value) || value < 0 || (strictly_positive && value <= 0))
            fail(context, dataset, "entry " + std::to_string(i) + " is " + std::to_string(value) + "; allowed: "
                    + (strictly_positive ? "finite and > 0" : "finite and >= 0"));
    }
}

} // namespace

void check_brain_arrays(const BrainArrays& a, const std::string& context)
{
    const std::size_t num_voxels = a.num_voxels();
    if (num_voxels == 0)
        fail(context, "/voxels/count_e", "no voxels; a brain model needs at least one");
    if (num_voxels > std::size_t(0xffffffffu))
        fail(context, "/voxels/count_e", "more than 2^32 - 1 voxels; sources are 32-bit voxel indices");
    const std::string v_text = "V (entries of /voxels/count_e)";
    check_size(context, "/voxels/count_i", a.count_i, num_voxels, v_text);
    check_size(context, "/voxels/indegree", a.indegree, num_voxels, v_text);
    check_size(context, "/voxels/centre_mm", a.centre_mm, 3 * num_voxels, "3 V");
    check_size(context, "/voxels/label", a.label, num_voxels, v_text);
    check_size(context, "/voxels/grey_matter", a.grey_matter, num_voxels, v_text);
    check_size(context, "/voxels/density", a.density, num_voxels, v_text);
    for (std::size_t i = 0; i < a.centre_mm.size(); ++i)
        if (!std::isfinite(a.centre_mm[i]))
            fail(context, "/voxels/centre_mm", "entry " + std::to_string(i / 3) + " is not finite");
    check_finite_non_negative(context, "/voxels/grey_matter", a.grey_matter, false);
    check_finite_non_negative(context, "/voxels/density", a.density, false);
    if (!std::isfinite(a.voxel_mm) || a.voxel_mm < 0)
        fail(context, "/voxels attribute voxel_mm",
            "is " + std::to_string(a.voxel_mm) + "; allowed: finite and >= 0 (0 = region-level model)");

    check_size(context, "/connectivity/row_ptr", a.row_ptr, num_voxels + 1, "V + 1");
    const std::size_t nnz = a.source.size();
    check_size(context, "/connectivity/weight", a.weight, nnz, "nnz (entries of /connectivity/source)");
    check_size(context, "/connectivity/delay_ms", a.delay_ms, nnz, "nnz (entries of /connectivity/source)");
    if (a.row_ptr.front() != 0)
        fail(context, "/connectivity/row_ptr", "entry 0 is " + std::to_string(a.row_ptr.front()) + ", must be 0");
    if (a.row_ptr.back() != nnz)
        fail(context, "/connectivity/row_ptr", "last entry is " + std::to_string(a.row_ptr.back())
                + ", must equal the number of sources (" + std::to_string(nnz) + ")");
    check_finite_non_negative(context, "/connectivity/weight", a.weight, false);
    check_finite_non_negative(context, "/connectivity/delay_ms", a.delay_ms, true);
    for (std::size_t v = 0; v < num_voxels; ++v) {
        const std::uint64_t begin = a.row_ptr[v], end = a.row_ptr[v + 1];
        if (end < begin)
            fail(context, "/connectivity/row_ptr", "decreases at entry " + std::to_string(v + 1));
        double sum = 0;
        for (std::uint64_t k = begin; k < end; ++k) {
            const std::uint32_t u = a.source[k];
            if (u >= num_voxels)
                fail(context, "/connectivity/source", "entry " + std::to_string(k) + " is voxel " + std::to_string(u)
                        + "; allowed: [0, " + std::to_string(num_voxels - 1) + "]");
            if (u == v)
                fail(context, "/connectivity/source",
                    "row " + std::to_string(v) + " lists its own voxel (self-loops are not allowed)");
            if (k > begin && a.source[k - 1] >= u)
                fail(context, "/connectivity/source",
                    "row " + std::to_string(v) + " is not strictly ascending (sorted sources, no duplicates)");
            sum += a.weight[k];
        }
        if (end > begin && std::fabs(sum - 1.0) > ROW_SUM_TOLERANCE)
            fail(context, "/connectivity/weight", "row " + std::to_string(v) + " sums to "
                    + std::to_string(sum) + "; each non-empty row must sum to 1 (within 1e-9)");
    }
    if (a.connectivity_kind != "dti" && a.connectivity_kind != "exponential_distance_rule")
        fail(context, "/connectivity attribute kind",
            "is '" + a.connectivity_kind + "'; allowed: dti, exponential_distance_rule");
    if (!std::isfinite(a.velocity_m_per_s) || a.velocity_m_per_s <= 0)
        fail(context, "/connectivity attribute velocity_m_per_s",
            "is " + std::to_string(a.velocity_m_per_s) + "; allowed: finite and > 0");
    if (a.region_name.size() != a.region_label.size())
        fail(context, "/regions/name", "has " + std::to_string(a.region_name.size())
                + " entries, expected as many as /regions/label (" + std::to_string(a.region_label.size()) + ")");
}

namespace {

// --- HDF5 plumbing -------------------------------------------------------------

using hdf5::Hdf5ErrorPrintingOff;
using hdf5::Hdf5Failure;
using hdf5::Hdf5Handle;

template <typename T> struct Hdf5Type;
template <> struct Hdf5Type<std::uint64_t> {
    static hid_t file() { return H5T_STD_U64LE; }
    static hid_t memory() { return H5T_NATIVE_UINT64; }
    static constexpr H5T_class_t type_class = H5T_INTEGER;
};
template <> struct Hdf5Type<std::uint32_t> {
    static hid_t file() { return H5T_STD_U32LE; }
    static hid_t memory() { return H5T_NATIVE_UINT32; }
    static constexpr H5T_class_t type_class = H5T_INTEGER;
};
template <> struct Hdf5Type<std::int64_t> {
    static hid_t file() { return H5T_STD_I64LE; }
    static hid_t memory() { return H5T_NATIVE_INT64; }
    static constexpr H5T_class_t type_class = H5T_INTEGER;
};
template <> struct Hdf5Type<double> {
    static hid_t file() { return H5T_IEEE_F64LE; }
    static hid_t memory() { return H5T_NATIVE_DOUBLE; }
    static constexpr H5T_class_t type_class = H5T_FLOAT;
};

// A 1-D (or rows x columns) dataset; chunked and compressed (shuffle +
// deflate 1) when larger than one chunk, since the connectivity of a
// fine-grained model holds 10^7 entries of slowly varying values.
template <typename T>
void write_dataset(const Hdf5Failure& failure, hid_t group, const char* name, const std::string& where,
    const std::vector<T>& values, hsize_t columns = 1)
{
    hdf5::DatasetStorage storage;
    if (values.size() > CHUNK_ELEMENTS) {
        storage.chunk_rows = std::max<hsize_t>(1, CHUNK_ELEMENTS / columns);
        storage.compress = true;
    }
    const Hdf5Handle dataset = hdf5::create_dataset(
        failure, group, name, Hdf5Type<T>::file(), values.size() / columns, columns, storage, where);
    hdf5::write_whole_dataset(failure, dataset.get(), Hdf5Type<T>::memory(), values.data(), values.size(), where);
}

void write_string_dataset(const Hdf5Failure& failure, hid_t group, const char* name, const std::string& where,
    const std::vector<std::string>& values)
{
    const Hdf5Handle type = hdf5::make_utf8_string_type(failure, where);
    const Hdf5Handle dataset
        = hdf5::create_dataset(failure, group, name, type.get(), values.size(), 1, hdf5::DatasetStorage(), where);
    std::vector<const char*> pointers;
    for (const auto& value : values)
        pointers.push_back(value.c_str());
    hdf5::write_whole_dataset(failure, dataset.get(), type.get(), pointers.data(), pointers.size(), where);
}

// --- reading -------------------------------------------------------------------

bool link_exists(hid_t location, const char* name)
{
    return H5Lexists(location, name, H5P_DEFAULT) > 0;
}

Hdf5Handle open_group(const Hdf5Failure& failure, hid_t file, const char* name)
{
    if (!link_exists(file, name))
        fail(failure.path(), name, "missing (not a dtb brain arrays file? see docs/brain_bundle.md)");
    return Hdf5Handle(
        failure.check_id(H5Gopen2(file, name, H5P_DEFAULT), std::string("H5Gopen2 (") + name + ")"), H5Gclose);
}

// Reads a whole dataset of rank 1 (columns == 1) or rows x columns into T,
// refusing a type of the wrong class (a float where integers belong).
template <typename T>
std::vector<T> read_dataset(const Hdf5Failure& failure, hid_t group, const char* name, const std::string& where,
    hsize_t columns = 1)
{
    if (!link_exists(group, name))
        fail(failure.path(), where, "missing");
    Hdf5Handle dataset(failure.check_id(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2 (" + where + ")"), H5Dclose);
    Hdf5Handle type(failure.check_id(H5Dget_type(dataset.get()), "H5Dget_type (" + where + ")"), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class != Hdf5Type<T>::type_class)
        fail(failure.path(), where, std::string("has the wrong type; expected ")
                + (Hdf5Type<T>::type_class == H5T_INTEGER ? "integers" : "floating-point numbers"));
    Hdf5Handle space(failure.check_id(H5Dget_space(dataset.get()), "H5Dget_space (" + where + ")"), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    hsize_t dims[2] = { 0, 0 };
    const int expected_rank = columns == 1 ? 1 : 2;
    if (rank != expected_rank)
        fail(failure.path(), where, "has rank " + std::to_string(rank) + ", expected " + std::to_string(expected_rank));
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (expected_rank == 2 && dims[1] != columns)
        fail(failure.path(), where, "has " + std::to_string(dims[1]) + " columns, expected " + std::to_string(columns));
    std::vector<T> values(dims[0] * columns);
    if (!values.empty())
        failure.check(H5Dread(dataset.get(), Hdf5Type<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "H5Dread (" + where + ")");
    return values;
}

double read_double_attribute(const Hdf5Failure& failure, hid_t owner, const char* name, const std::string& where)
{
    if (H5Aexists(owner, name) <= 0)
        fail(failure.path(), where, "missing");
    double value = 0;
    hdf5::read_scalar_attribute(failure, owner, name, H5T_NATIVE_DOUBLE, &value, where);
    return value;
}

// Strings written by other tools may be fixed-length; read either kind.
std::vector<std::string> read_strings(
    const Hdf5Failure& failure, hid_t object, bool is_attribute, const std::string& where)
{
    Hdf5Handle file_type(
        failure.check_id(is_attribute ? H5Aget_type(object) : H5Dget_type(object), "get_type (" + where + ")"),
        H5Tclose);
    if (H5Tget_class(file_type.get()) != H5T_STRING)
        fail(failure.path(), where, "is not a string");
    Hdf5Handle space(
        failure.check_id(is_attribute ? H5Aget_space(object) : H5Dget_space(object), "get_space (" + where + ")"),
        H5Sclose);
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    std::vector<std::string> out(static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
    if (out.empty())
        return out;
    if (H5Tis_variable_str(file_type.get()) > 0) {
        Hdf5Handle memory_type = hdf5::make_utf8_string_type(failure, where);
        std::vector<char*> pointers(out.size(), nullptr);
        failure.check(is_attribute ? H5Aread(object, memory_type.get(), pointers.data())
                              : H5Dread(object, memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
            "read (" + where + ")");
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = pointers[i] != nullptr ? pointers[i] : "";
        H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, pointers.data());
    } else {
        // One byte more than stored, so that a NULLPAD string filling its
        // whole width keeps its last character.
        const std::size_t size = H5Tget_size(file_type.get()) + 1;
        Hdf5Handle memory_type(failure.check_id(H5Tcopy(H5T_C_S1), "H5Tcopy (" + where + ")"), H5Tclose);
        failure.check(H5Tset_size(memory_type.get(), size), "H5Tset_size (" + where + ")");
        std::vector<char> buffer(size * out.size());
        failure.check(is_attribute ? H5Aread(object, memory_type.get(), buffer.data())
                              : H5Dread(object, memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
            "read (" + where + ")");
        for (std::size_t i = 0; i < out.size(); ++i) {
            const char* begin = buffer.data() + i * size;
            out[i] = std::string(begin, ::strnlen(begin, size));
        }
    }
    return out;
}

std::string read_string_attribute(const Hdf5Failure& failure, hid_t owner, const char* name, const std::string& where)
{
    if (H5Aexists(owner, name) <= 0)
        fail(failure.path(), where, "missing");
    Hdf5Handle attribute(failure.check_id(H5Aopen(owner, name, H5P_DEFAULT), "H5Aopen (" + where + ")"), H5Aclose);
    const auto values = read_strings(failure, attribute.get(), true, where);
    if (values.size() != 1)
        fail(failure.path(), where, "must be one string");
    return values.front();
}

} // namespace

BrainArrays read_brain_arrays(const std::string& path)
{
    Hdf5ErrorPrintingOff quiet;
    // No "what": messages name the file by its path alone.
    const Hdf5Failure failure("", path);
    Hdf5Handle file(failure.check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"), H5Fclose);
    BrainArrays a;
    {
        Hdf5Handle voxels = open_group(failure, file.get(), "voxels");
        const hid_t g = voxels.get();
        a.count_e = read_dataset<std::uint64_t>(failure, g, "count_e", "/voxels/count_e");
        a.count_i = read_dataset<std::uint64_t>(failure, g, "count_i", "/voxels/count_i");
        a.indegree = read_dataset<std::uint32_t>(failure, g, "indegree", "/voxels/indegree");
        a.centre_mm = read_dataset<double>(failure, g, "centre_mm", "/voxels/centre_mm", 3);
        a.label = read_dataset<std::int64_t>(failure, g, "label", "/voxels/label");
        a.grey_matter = read_dataset<double>(failure, g, "grey_matter", "/voxels/grey_matter");
        a.density = read_dataset<double>(failure, g, "density", "/voxels/density");
        a.voxel_mm = read_double_attribute(failure, g, "voxel_mm", "/voxels attribute voxel_mm");
    }
    {
        Hdf5Handle connectivity = open_group(failure, file.get(), "connectivity");
        const hid_t g = connectivity.get();
        a.row_ptr = read_dataset<std::uint64_t>(failure, g, "row_ptr", "/connectivity/row_ptr");
        a.source = read_dataset<std::uint32_t>(failure, g, "source", "/connectivity/source");
        a.weight = read_dataset<double>(failure, g, "weight", "/connectivity/weight");
        a.delay_ms = read_dataset<double>(failure, g, "delay_ms", "/connectivity/delay_ms");
        a.connectivity_kind = read_string_attribute(failure, g, "kind", "/connectivity attribute kind");
        a.velocity_m_per_s
            = read_double_attribute(failure, g, "velocity_m_per_s", "/connectivity attribute velocity_m_per_s");
    }
    if (link_exists(file.get(), "regions")) {
        Hdf5Handle regions = open_group(failure, file.get(), "regions");
        a.region_label = read_dataset<std::int64_t>(failure, regions.get(), "label", "/regions/label");
        if (!link_exists(regions.get(), "name"))
            fail(path, "/regions/name", "missing");
        Hdf5Handle names(
            failure.check_id(H5Dopen2(regions.get(), "name", H5P_DEFAULT), "H5Dopen2 (/regions/name)"), H5Dclose);
        a.region_name = read_strings(failure, names.get(), false, "/regions/name");
    }
    check_brain_arrays(a, path);
    return a;
}

void write_brain_arrays(const std::string& path, const BrainArrays& a)
{
    check_brain_arrays(a, path);
    Hdf5ErrorPrintingOff quiet;
    StagedFile staged(path);
    // No "what": messages name the file by its path alone.
    const Hdf5Failure failure("", path);
    {
        Hdf5Handle file(failure.check_id(H5Fcreate(staged.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                            "H5Fcreate"),
            H5Fclose);
        {
            Hdf5Handle voxels(failure.check_id(H5Gcreate2(file.get(), "voxels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                  "H5Gcreate2 (/voxels)"),
                H5Gclose);
            const hid_t g = voxels.get();
            write_dataset(failure, g, "count_e", "/voxels/count_e", a.count_e);
            write_dataset(failure, g, "count_i", "/voxels/count_i", a.count_i);
            write_dataset(failure, g, "indegree", "/voxels/indegree", a.indegree);
            write_dataset(failure, g, "centre_mm", "/voxels/centre_mm", a.centre_mm, 3);
            write_dataset(failure, g, "label", "/voxels/label", a.label);
            write_dataset(failure, g, "grey_matter", "/voxels/grey_matter", a.grey_matter);
            write_dataset(failure, g, "density", "/voxels/density", a.density);
            hdf5::write_scalar_attribute(
                failure, g, "voxel_mm", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &a.voxel_mm, "/voxels attribute voxel_mm");
        }
        {
            Hdf5Handle connectivity(failure.check_id(H5Gcreate2(file.get(), "connectivity", H5P_DEFAULT, H5P_DEFAULT,
                                                 H5P_DEFAULT),
                                        "H5Gcreate2 (/connectivity)"),
                H5Gclose);
            const hid_t g = connectivity.get();
            write_dataset(failure, g, "row_ptr", "/connectivity/row_ptr", a.row_ptr);
            write_dataset(failure, g, "source", "/connectivity/source", a.source);
            write_dataset(failure, g, "weight", "/connectivity/weight", a.weight);
            write_dataset(failure, g, "delay_ms", "/connectivity/delay_ms", a.delay_ms);
            hdf5::write_string_attribute(
                failure, g, "kind", a.connectivity_kind, "/connectivity attribute kind");
            hdf5::write_scalar_attribute(failure, g, "velocity_m_per_s", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                &a.velocity_m_per_s, "/connectivity attribute velocity_m_per_s");
        }
        if (!a.region_label.empty()) {
            Hdf5Handle regions(
                failure.check_id(
                    H5Gcreate2(file.get(), "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 (/regions)"),
                H5Gclose);
            write_dataset(failure, regions.get(), "label", "/regions/label", a.region_label);
            write_string_dataset(failure, regions.get(), "name", "/regions/name", a.region_name);
        }
        file.close(failure, "H5Fclose");
    }
    staged.commit();
}

} // namespace dtb::sim
