#pragma once
// Small HDF5 helpers for the assimilation's files: an owning handle and
// float64 datasets/attributes. Errors throw std::runtime_error naming the
// file and the object.
#include <hdf5.h>
#include <cstdint>
#include <string>
#include <vector>

namespace dtb::assimilation::hdf5 {

class Handle {
public:
    Handle() = default;
    Handle(hid_t id, herr_t (*close)(hid_t))
        : id_(id)
        , close_(close)
    {
    }
    ~Handle()
    {
        if (id_ >= 0 && close_)
            close_(id_);
    }
    Handle(Handle&& other) noexcept
        : id_(other.id_)
        , close_(other.close_)
    {
        other.id_ = -1;
    }
    Handle& operator=(Handle&& other) noexcept
    {
        std::swap(id_, other.id_);
        std::swap(close_, other.close_);
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_ = -1;
    herr_t (*close_)(hid_t) = nullptr;
};

Handle create_file(const std::string& path);
Handle open_file_read(const std::string& path);
/// Creates every missing group of `path` ("/a/b/c": groups /a and /a/b).
void write_doubles(hid_t file, const std::string& path, const std::vector<double>& values,
    const std::vector<hsize_t>& shape, const std::string& file_name);
void write_strings(hid_t file, const std::string& path, const std::vector<std::string>& values,
    const std::string& file_name);
void write_attribute(hid_t object, const std::string& name, double value, const std::string& file_name);
/// Reads a float64-convertible dataset; `shape` receives its dimensions.
std::vector<double> read_doubles(hid_t file, const std::string& path, std::vector<hsize_t>& shape,
    const std::string& file_name);
bool has_object(hid_t file, const std::string& path);
/// A float64 attribute of `object_path`, or `fallback` if absent.
double read_attribute(hid_t file, const std::string& object_path, const std::string& name, double fallback);

} // namespace dtb::assimilation::hdf5
