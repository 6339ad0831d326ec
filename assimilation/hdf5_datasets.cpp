#include "assimilation/hdf5_datasets.hpp"

#include <stdexcept>

namespace dtb::assimilation::hdf5 {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what)
{
    throw std::runtime_error(file + ": " + what);
}

void ensure_groups(hid_t file, const std::string& path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string group = path.substr(0, slash);
        if (H5Lexists(file, group.c_str(), H5P_DEFAULT) > 0)
            continue;
        Handle g(H5Gcreate2(file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (!g.valid())
            throw std::runtime_error("cannot create HDF5 group " + group);
    }
}

} // namespace

Handle create_file(const std::string& path)
{
    Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid())
        fail(path, "cannot create HDF5 file");
    return file;
}

Handle open_file_read(const std::string& path)
{
    H5E_BEGIN_TRY
    {
        Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (file.valid())
            return file;
    }
    H5E_END_TRY;
    fail(path, "cannot open as an HDF5 file");
}

bool has_object(hid_t file, const std::string& path)
{
    htri_t exists = 0;
    H5E_BEGIN_TRY { exists = H5Lexists(file, path.c_str(), H5P_DEFAULT); }
    H5E_END_TRY;
    return exists > 0;
}

void write_doubles(hid_t file, const std::string& path, const std::vector<double>& values,
    const std::vector<hsize_t>& shape, const std::string& file_name)
{
    ensure_groups(file, path);
    Handle space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose);
    Handle set(H5Dcreate2(file, path.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    if (!set.valid())
        fail(file_name, "cannot create dataset " + path);
    if (!values.empty() && H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        fail(file_name, "cannot write dataset " + path);
}

void write_strings(hid_t file, const std::string& path, const std::vector<std::string>& values,
    const std::string& file_name)
{
    ensure_groups(file, path);
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    const hsize_t n = values.size();
    Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Handle set(H5Dcreate2(file, path.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    if (!set.valid())
        fail(file_name, "cannot create dataset " + path);
    std::vector<const char*> pointers;
    for (const auto& v : values)
        pointers.push_back(v.c_str());
    if (n > 0 && H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
        fail(file_name, "cannot write dataset " + path);
}

void write_attribute(hid_t object, const std::string& name, double value, const std::string& file_name)
{
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attribute(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attribute.valid() || H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        fail(file_name, "cannot write attribute " + name);
}

std::vector<double> read_doubles(hid_t file, const std::string& path, std::vector<hsize_t>& shape,
    const std::string& file_name)
{
    if (!has_object(file, path))
        fail(file_name, "no dataset " + path);
    Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.valid())
        fail(file_name, path + " is not a dataset");
    Handle type(H5Dget_type(set.get()), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
        fail(file_name, path + " is not numeric");
    Handle space(H5Dget_space(set.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    shape.assign(static_cast<std::size_t>(rank < 0 ? 0 : rank), 0);
    H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr);
    hsize_t count = 1;
    for (const auto d : shape)
        count *= d;
    std::vector<double> values(count);
    if (count > 0 && H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        fail(file_name, "cannot read " + path);
    return values;
}

double read_attribute(hid_t file, const std::string& object_path, const std::string& name, double fallback)
{
    if (!has_object(file, object_path))
        return fallback;
    htri_t exists = 0;
    H5E_BEGIN_TRY { exists = H5Aexists_by_name(file, object_path.c_str(), name.c_str(), H5P_DEFAULT); }
    H5E_END_TRY;
    if (exists <= 0)
        return fallback;
    Handle attribute(H5Aopen_by_name(file, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    double value = fallback;
    if (!attribute.valid() || H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        return fallback;
    return value;
}

} // namespace dtb::assimilation::hdf5
