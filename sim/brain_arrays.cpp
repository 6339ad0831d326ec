#include "sim/brain_arrays.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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

// HDF5's innermost error message ("unable to open file: ... No such file").
herr_t keep_innermost_error(unsigned n, const H5E_error2_t* error, void* client)
{
    if (n == 0 && error != nullptr && error->desc != nullptr)
        *static_cast<std::string*>(client) = error->desc;
    return 0;
}

std::string take_hdf5_error_text()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost_error, &text);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

// We turn every failure into an exception with HDF5's message, so HDF5 must
// not also print its error stack; restores the previous handler.
class Hdf5ErrorPrintingOff {
public:
    Hdf5ErrorPrintingOff()
    {
        saved_ok_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~Hdf5ErrorPrintingOff()
    {
        if (saved_ok_)
            H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
    }
    Hdf5ErrorPrintingOff(const Hdf5ErrorPrintingOff&) = delete;
    Hdf5ErrorPrintingOff& operator=(const Hdf5ErrorPrintingOff&) = delete;

private:
    H5E_auto2_t saved_func_ = nullptr;
    void* saved_data_ = nullptr;
    bool saved_ok_ = false;
};

// Owns one hid_t and closes it with the matching H5?close.
class Hdf5Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Hdf5Handle(hid_t id, Closer closer)
        : id_(id)
        , closer_(closer)
    {
    }
    ~Hdf5Handle()
    {
        if (id_ >= 0)
            closer_(id_);
    }
    Hdf5Handle(Hdf5Handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID))
        , closer_(other.closer_)
    {
    }
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(Hdf5Handle&&) = delete;
    hid_t get() const { return id_; }
    /// Closes now, reporting failure (for the file: where data reaches the disk).
    herr_t close()
    {
        const herr_t status = id_ >= 0 ? closer_(id_) : 0;
        id_ = H5I_INVALID_HID;
        return status;
    }

private:
    hid_t id_;
    Closer closer_;
};

// Names the file (and, through `where`, the dataset) in every HDF5 failure.
class Hdf5Calls {
public:
    explicit Hdf5Calls(std::string path)
        : path_(std::move(path))
    {
    }
    [[noreturn]] void raise(const std::string& call) const
    {
        const std::string detail = take_hdf5_error_text();
        throw std::runtime_error(path_ + ": " + call + " failed" + (detail.empty() ? std::string() : ": " + detail));
    }
    hid_t id(hid_t id, const std::string& call) const
    {
        if (id < 0)
            raise(call);
        return id;
    }
    void ok(herr_t status, const std::string& call) const
    {
        if (status < 0)
            raise(call);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

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
void write_dataset(const Hdf5Calls& calls, hid_t group, const char* name, const std::string& where,
    const std::vector<T>& values, hsize_t columns = 1)
{
    const hsize_t rows = values.size() / columns;
    const hsize_t dims[2] = { rows, columns };
    const int rank = columns == 1 ? 1 : 2;
    Hdf5Handle space(calls.id(H5Screate_simple(rank, dims, nullptr), "H5Screate_simple (" + where + ")"), H5Sclose);
    Hdf5Handle create(calls.id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate (" + where + ")"), H5Pclose);
    if (values.size() > CHUNK_ELEMENTS) {
        const hsize_t chunk[2] = { std::max<hsize_t>(1, CHUNK_ELEMENTS / columns), columns };
        calls.ok(H5Pset_chunk(create.get(), rank, chunk), "H5Pset_chunk (" + where + ")");
        calls.ok(H5Pset_shuffle(create.get()), "H5Pset_shuffle (" + where + ")");
        calls.ok(H5Pset_deflate(create.get(), 1), "H5Pset_deflate (" + where + ")");
    }
    Hdf5Handle dataset(calls.id(H5Dcreate2(group, name, Hdf5Type<T>::file(), space.get(), H5P_DEFAULT,
                                    create.get(), H5P_DEFAULT),
                           "H5Dcreate2 (" + where + ")"),
        H5Dclose);
    if (!values.empty())
        calls.ok(H5Dwrite(dataset.get(), Hdf5Type<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "H5Dwrite (" + where + ")");
}

Hdf5Handle make_utf8_string_type(const Hdf5Calls& calls, const std::string& where)
{
    Hdf5Handle type(calls.id(H5Tcopy(H5T_C_S1), "H5Tcopy (" + where + ")"), H5Tclose);
    calls.ok(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size (" + where + ")");
    calls.ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset (" + where + ")");
    return type;
}

void write_string_dataset(const Hdf5Calls& calls, hid_t group, const char* name, const std::string& where,
    const std::vector<std::string>& values)
{
    const hsize_t count = values.size();
    Hdf5Handle type = make_utf8_string_type(calls, where);
    Hdf5Handle space(calls.id(H5Screate_simple(1, &count, nullptr), "H5Screate_simple (" + where + ")"), H5Sclose);
    Hdf5Handle dataset(calls.id(H5Dcreate2(group, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT),
                           "H5Dcreate2 (" + where + ")"),
        H5Dclose);
    std::vector<const char*> pointers;
    for (const auto& value : values)
        pointers.push_back(value.c_str());
    if (!pointers.empty())
        calls.ok(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
            "H5Dwrite (" + where + ")");
}

void write_double_attribute(const Hdf5Calls& calls, hid_t owner, const char* name, const std::string& where,
    double value)
{
    Hdf5Handle space(calls.id(H5Screate(H5S_SCALAR), "H5Screate (" + where + ")"), H5Sclose);
    Hdf5Handle attribute(calls.id(H5Acreate2(owner, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                             "H5Acreate2 (" + where + ")"),
        H5Aclose);
    calls.ok(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value), "H5Awrite (" + where + ")");
}

void write_string_attribute(const Hdf5Calls& calls, hid_t owner, const char* name, const std::string& where,
    const std::string& value)
{
    Hdf5Handle type = make_utf8_string_type(calls, where);
    Hdf5Handle space(calls.id(H5Screate(H5S_SCALAR), "H5Screate (" + where + ")"), H5Sclose);
    Hdf5Handle attribute(calls.id(H5Acreate2(owner, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                             "H5Acreate2 (" + where + ")"),
        H5Aclose);
    const char* text = value.c_str();
    calls.ok(H5Awrite(attribute.get(), type.get(), &text), "H5Awrite (" + where + ")");
}

// --- reading -------------------------------------------------------------------

bool link_exists(hid_t location, const char* name)
{
    return H5Lexists(location, name, H5P_DEFAULT) > 0;
}

Hdf5Handle open_group(const Hdf5Calls& calls, hid_t file, const char* name)
{
    if (!link_exists(file, name))
        fail(calls.path(), name, "missing (not a dtb brain arrays file? see docs/brain_bundle.md)");
    return Hdf5Handle(calls.id(H5Gopen2(file, name, H5P_DEFAULT), std::string("H5Gopen2 (") + name + ")"), H5Gclose);
}

// Reads a whole dataset of rank 1 (columns == 1) or rows x columns into T,
// refusing a type of the wrong class (a float where integers belong).
template <typename T>
std::vector<T> read_dataset(const Hdf5Calls& calls, hid_t group, const char* name, const std::string& where,
    hsize_t columns = 1)
{
    if (!link_exists(group, name))
        fail(calls.path(), where, "missing");
    Hdf5Handle dataset(calls.id(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2 (" + where + ")"), H5Dclose);
    Hdf5Handle type(calls.id(H5Dget_type(dataset.get()), "H5Dget_type (" + where + ")"), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class != Hdf5Type<T>::type_class)
        fail(calls.path(), where, std::string("has the wrong type; expected ")
                + (Hdf5Type<T>::type_class == H5T_INTEGER ? "integers" : "floating-point numbers"));
    Hdf5Handle space(calls.id(H5Dget_space(dataset.get()), "H5Dget_space (" + where + ")"), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    hsize_t dims[2] = { 0, 0 };
    const int expected_rank = columns == 1 ? 1 : 2;
    if (rank != expected_rank)
        fail(calls.path(), where, "has rank " + std::to_string(rank) + ", expected " + std::to_string(expected_rank));
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    if (expected_rank == 2 && dims[1] != columns)
        fail(calls.path(), where, "has " + std::to_string(dims[1]) + " columns, expected " + std::to_string(columns));
    std::vector<T> values(dims[0] * columns);
    if (!values.empty())
        calls.ok(H5Dread(dataset.get(), Hdf5Type<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "H5Dread (" + where + ")");
    return values;
}

double read_double_attribute(const Hdf5Calls& calls, hid_t owner, const char* name, const std::string& where)
{
    if (H5Aexists(owner, name) <= 0)
        fail(calls.path(), where, "missing");
    Hdf5Handle attribute(calls.id(H5Aopen(owner, name, H5P_DEFAULT), "H5Aopen (" + where + ")"), H5Aclose);
    double value = 0;
    calls.ok(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), "H5Aread (" + where + ")");
    return value;
}

// Strings written by other tools may be fixed-length; read either kind.
std::vector<std::string> read_strings(const Hdf5Calls& calls, hid_t object, bool is_attribute, const std::string& where)
{
    Hdf5Handle file_type(calls.id(is_attribute ? H5Aget_type(object) : H5Dget_type(object), "get_type (" + where + ")"),
        H5Tclose);
    if (H5Tget_class(file_type.get()) != H5T_STRING)
        fail(calls.path(), where, "is not a string");
    Hdf5Handle space(calls.id(is_attribute ? H5Aget_space(object) : H5Dget_space(object), "get_space (" + where + ")"),
        H5Sclose);
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    std::vector<std::string> out(static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
    if (out.empty())
        return out;
    if (H5Tis_variable_str(file_type.get()) > 0) {
        Hdf5Handle memory_type = make_utf8_string_type(calls, where);
        std::vector<char*> pointers(out.size(), nullptr);
        calls.ok(is_attribute ? H5Aread(object, memory_type.get(), pointers.data())
                              : H5Dread(object, memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
            "read (" + where + ")");
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = pointers[i] != nullptr ? pointers[i] : "";
        H5Dvlen_reclaim(memory_type.get(), space.get(), H5P_DEFAULT, pointers.data());
    } else {
        // One byte more than stored, so that a NULLPAD string filling its
        // whole width keeps its last character.
        const std::size_t size = H5Tget_size(file_type.get()) + 1;
        Hdf5Handle memory_type(calls.id(H5Tcopy(H5T_C_S1), "H5Tcopy (" + where + ")"), H5Tclose);
        calls.ok(H5Tset_size(memory_type.get(), size), "H5Tset_size (" + where + ")");
        std::vector<char> buffer(size * out.size());
        calls.ok(is_attribute ? H5Aread(object, memory_type.get(), buffer.data())
                              : H5Dread(object, memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
            "read (" + where + ")");
        for (std::size_t i = 0; i < out.size(); ++i) {
            const char* begin = buffer.data() + i * size;
            out[i] = std::string(begin, ::strnlen(begin, size));
        }
    }
    return out;
}

std::string read_string_attribute(const Hdf5Calls& calls, hid_t owner, const char* name, const std::string& where)
{
    if (H5Aexists(owner, name) <= 0)
        fail(calls.path(), where, "missing");
    Hdf5Handle attribute(calls.id(H5Aopen(owner, name, H5P_DEFAULT), "H5Aopen (" + where + ")"), H5Aclose);
    const auto values = read_strings(calls, attribute.get(), true, where);
    if (values.size() != 1)
        fail(calls.path(), where, "must be one string");
    return values.front();
}

} // namespace

BrainArrays read_brain_arrays(const std::string& path)
{
    Hdf5ErrorPrintingOff quiet;
    const Hdf5Calls calls(path);
    Hdf5Handle file(calls.id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"), H5Fclose);
    BrainArrays a;
    {
        Hdf5Handle voxels = open_group(calls, file.get(), "voxels");
        const hid_t g = voxels.get();
        a.count_e = read_dataset<std::uint64_t>(calls, g, "count_e", "/voxels/count_e");
        a.count_i = read_dataset<std::uint64_t>(calls, g, "count_i", "/voxels/count_i");
        a.indegree = read_dataset<std::uint32_t>(calls, g, "indegree", "/voxels/indegree");
        a.centre_mm = read_dataset<double>(calls, g, "centre_mm", "/voxels/centre_mm", 3);
        a.label = read_dataset<std::int64_t>(calls, g, "label", "/voxels/label");
        a.grey_matter = read_dataset<double>(calls, g, "grey_matter", "/voxels/grey_matter");
        a.density = read_dataset<double>(calls, g, "density", "/voxels/density");
        a.voxel_mm = read_double_attribute(calls, g, "voxel_mm", "/voxels attribute voxel_mm");
    }
    {
        Hdf5Handle connectivity = open_group(calls, file.get(), "connectivity");
        const hid_t g = connectivity.get();
        a.row_ptr = read_dataset<std::uint64_t>(calls, g, "row_ptr", "/connectivity/row_ptr");
        a.source = read_dataset<std::uint32_t>(calls, g, "source", "/connectivity/source");
        a.weight = read_dataset<double>(calls, g, "weight", "/connectivity/weight");
        a.delay_ms = read_dataset<double>(calls, g, "delay_ms", "/connectivity/delay_ms");
        a.connectivity_kind = read_string_attribute(calls, g, "kind", "/connectivity attribute kind");
        a.velocity_m_per_s
            = read_double_attribute(calls, g, "velocity_m_per_s", "/connectivity attribute velocity_m_per_s");
    }
    if (link_exists(file.get(), "regions")) {
        Hdf5Handle regions = open_group(calls, file.get(), "regions");
        a.region_label = read_dataset<std::int64_t>(calls, regions.get(), "label", "/regions/label");
        if (!link_exists(regions.get(), "name"))
            fail(path, "/regions/name", "missing");
        Hdf5Handle names(calls.id(H5Dopen2(regions.get(), "name", H5P_DEFAULT), "H5Dopen2 (/regions/name)"), H5Dclose);
        a.region_name = read_strings(calls, names.get(), false, "/regions/name");
    }
    check_brain_arrays(a, path);
    return a;
}

void write_brain_arrays(const std::string& path, const BrainArrays& a)
{
    check_brain_arrays(a, path);
    Hdf5ErrorPrintingOff quiet;
    StagedFile staged(path);
    const Hdf5Calls calls(path);
    {
        Hdf5Handle file(
            calls.id(H5Fcreate(staged.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"),
            H5Fclose);
        {
            Hdf5Handle voxels(
                calls.id(H5Gcreate2(file.get(), "voxels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 (/voxels)"),
                H5Gclose);
            const hid_t g = voxels.get();
            write_dataset(calls, g, "count_e", "/voxels/count_e", a.count_e);
            write_dataset(calls, g, "count_i", "/voxels/count_i", a.count_i);
            write_dataset(calls, g, "indegree", "/voxels/indegree", a.indegree);
            write_dataset(calls, g, "centre_mm", "/voxels/centre_mm", a.centre_mm, 3);
            write_dataset(calls, g, "label", "/voxels/label", a.label);
            write_dataset(calls, g, "grey_matter", "/voxels/grey_matter", a.grey_matter);
            write_dataset(calls, g, "density", "/voxels/density", a.density);
            write_double_attribute(calls, g, "voxel_mm", "/voxels attribute voxel_mm", a.voxel_mm);
        }
        {
            Hdf5Handle connectivity(calls.id(H5Gcreate2(file.get(), "connectivity", H5P_DEFAULT, H5P_DEFAULT,
                                                 H5P_DEFAULT),
                                        "H5Gcreate2 (/connectivity)"),
                H5Gclose);
            const hid_t g = connectivity.get();
            write_dataset(calls, g, "row_ptr", "/connectivity/row_ptr", a.row_ptr);
            write_dataset(calls, g, "source", "/connectivity/source", a.source);
            write_dataset(calls, g, "weight", "/connectivity/weight", a.weight);
            write_dataset(calls, g, "delay_ms", "/connectivity/delay_ms", a.delay_ms);
            write_string_attribute(calls, g, "kind", "/connectivity attribute kind", a.connectivity_kind);
            write_double_attribute(calls, g, "velocity_m_per_s", "/connectivity attribute velocity_m_per_s",
                a.velocity_m_per_s);
        }
        if (!a.region_label.empty()) {
            Hdf5Handle regions(
                calls.id(H5Gcreate2(file.get(), "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2 (/regions)"),
                H5Gclose);
            write_dataset(calls, regions.get(), "label", "/regions/label", a.region_label);
            write_string_dataset(calls, regions.get(), "name", "/regions/name", a.region_name);
        }
        calls.ok(file.close(), "H5Fclose");
    }
    staged.commit();
}

} // namespace dtb::sim
