#include "sim/hdf5_support.hpp"

#include <stdexcept>
#include <utility>

namespace dtb::sim::hdf5 {

namespace {

herr_t keep_innermost_error(unsigned n, const H5E_error2_t* error, void* client)
{
    if (n == 0 && error != nullptr && error->desc != nullptr)
        *static_cast<std::string*>(client) = error->desc;
    return 0;
}

} // namespace

std::string take_hdf5_error_text()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost_error, &text);
    H5Eclear2(H5E_DEFAULT);
    return text;
}

Hdf5ErrorPrintingOff::Hdf5ErrorPrintingOff()
{
    saved_ok_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hdf5ErrorPrintingOff::~Hdf5ErrorPrintingOff()
{
    if (saved_ok_)
        H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

Hdf5Failure::Hdf5Failure(const std::string& what, std::string path)
    : path_(std::move(path))
    , prefix_(what.empty() ? path_ + ": " : what + " '" + path_ + "': ")
{
}

void Hdf5Failure::raise(const std::string& call) const
{
    const std::string detail = take_hdf5_error_text();
    throw std::runtime_error(
        prefix_ + call + " failed" + (detail.empty() ? std::string() : ": " + detail));
}

void Hdf5Failure::raise_format(const std::string& message) const
{
    throw std::runtime_error(prefix_ + message);
}

Hdf5Handle::Hdf5Handle(hid_t id, Closer closer)
    : id_(id)
    , closer_(closer)
{
}

Hdf5Handle::~Hdf5Handle()
{
    if (id_ >= 0)
        closer_(id_);
}

Hdf5Handle::Hdf5Handle(Hdf5Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID))
    , closer_(other.closer_)
{
}

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept
{
    if (this != &other) {
        if (id_ >= 0)
            closer_(id_);
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        closer_ = other.closer_;
    }
    return *this;
}

void Hdf5Handle::close(const Hdf5Failure& failure, const std::string& call)
{
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    failure.check(closer_(id), call);
}

bool deflate_available()
{
    unsigned int config = 0;
    return H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0
        && H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) >= 0
        && (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

Hdf5Handle make_utf8_string_type(const Hdf5Failure& failure, const std::string& label)
{
    const std::string where = " (" + label + ")";
    Hdf5Handle type(failure.check_id(H5Tcopy(H5T_C_S1), "H5Tcopy" + where), H5Tclose);
    failure.check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size" + where);
    failure.check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset" + where);
    return type;
}

void write_scalar_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    hid_t file_type, hid_t memory_type, const void* value, const std::string& label)
{
    const std::string where = " (" + label + ")";
    Hdf5Handle space(failure.check_id(H5Screate(H5S_SCALAR), "H5Screate" + where), H5Sclose);
    Hdf5Handle attribute(
        failure.check_id(H5Acreate2(owner, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            "H5Acreate2" + where),
        H5Aclose);
    failure.check(H5Awrite(attribute.get(), memory_type, value), "H5Awrite" + where);
}

void write_string_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    const std::string& value, const std::string& label)
{
    const Hdf5Handle type = make_utf8_string_type(failure, label);
    const char* text = value.c_str();
    write_scalar_attribute(failure, owner, name, type.get(), type.get(), &text, label);
}

void read_scalar_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    hid_t memory_type, void* value, const std::string& label)
{
    const std::string where = " (" + label + ")";
    Hdf5Handle attribute(
        failure.check_id(H5Aopen(owner, name, H5P_DEFAULT), "H5Aopen" + where), H5Aclose);
    failure.check(H5Aread(attribute.get(), memory_type, value), "H5Aread" + where);
}

Hdf5Handle create_dataset(const Hdf5Failure& failure, hid_t group, const char* name,
    hid_t file_type, hsize_t rows, hsize_t columns, const DatasetStorage& storage,
    const std::string& label)
{
    const std::string where = " (" + label + ")";
    const int rank = columns == 1 ? 1 : 2;
    const hsize_t dims[2] = { rows, columns };
    Hdf5Handle space(
        failure.check_id(H5Screate_simple(rank, dims, nullptr), "H5Screate_simple" + where),
        H5Sclose);
    Hdf5Handle properties(
        failure.check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate" + where), H5Pclose);
    if (storage.chunk_rows > 0) {
        const hsize_t chunk[2] = { storage.chunk_rows, columns };
        failure.check(H5Pset_chunk(properties.get(), rank, chunk), "H5Pset_chunk" + where);
        if (storage.compress) {
            failure.check(H5Pset_shuffle(properties.get()), "H5Pset_shuffle" + where);
            failure.check(H5Pset_deflate(properties.get(), 1), "H5Pset_deflate" + where);
        }
    }
    return Hdf5Handle(failure.check_id(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT,
                                           properties.get(), H5P_DEFAULT),
                          "H5Dcreate2" + where),
        H5Dclose);
}

void write_whole_dataset(const Hdf5Failure& failure, hid_t dataset, hid_t memory_type,
    const void* values, std::size_t count, const std::string& label)
{
    if (count == 0)
        return;
    failure.check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values),
        "H5Dwrite (" + label + ")");
}

} // namespace dtb::sim::hdf5
