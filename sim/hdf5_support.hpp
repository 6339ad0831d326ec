#pragma once
// HDF5 plumbing shared by the writers and readers of dtb's HDF5 files (SONATA
// spikes, population rates, brain arrays): failed calls become exceptions
// carrying HDF5's own message, and ids are owned so that none leaks.
// Includes <hdf5.h>: for sim/*.cpp only, never for a public header.
#include <hdf5.h>

#include <cstddef>
#include <string>

namespace dtb::sim::hdf5 {

/// HDF5's innermost (most specific) error message, e.g. "unable to open file:
/// name = '...', errno = 2, error message = 'No such file or directory'";
/// empty if the stack holds none. Clears the error stack.
std::string take_hdf5_error_text();

/// While it lives, HDF5 does not print its error stack to stderr (we turn
/// every failure into an exception with HDF5's message instead). Restores
/// whatever handler was installed before, also on exceptions.
class Hdf5ErrorPrintingOff {
public:
    Hdf5ErrorPrintingOff();
    ~Hdf5ErrorPrintingOff();
    Hdf5ErrorPrintingOff(const Hdf5ErrorPrintingOff&) = delete;
    Hdf5ErrorPrintingOff& operator=(const Hdf5ErrorPrintingOff&) = delete;

private:
    H5E_auto2_t saved_func_ = nullptr;
    void* saved_data_ = nullptr;
    bool saved_ok_ = false;
};

/// Turns failed HDF5 calls on one file into std::runtime_error naming the
/// file and the call: "<what> '<path>': <call> failed: <HDF5 message>", or
/// "<path>: <call> failed: ..." when `what` is empty.
class Hdf5Failure {
public:
    Hdf5Failure(const std::string& what, std::string path);

    [[noreturn]] void raise(const std::string& call) const;
    hid_t check_id(hid_t id, const std::string& call) const
    {
        if (id < 0)
            raise(call);
        return id;
    }
    void check(herr_t status, const std::string& call) const
    {
        if (status < 0)
            raise(call);
    }
    /// A problem with the file's content rather than a failed call.
    [[noreturn]] void raise_format(const std::string& message) const;
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::string prefix_; // names the file, up to and including ": "
};

/// Owns one hid_t and closes it with the matching H5?close, so that no id
/// leaks when an exception unwinds. close() reports a failed close (for the
/// file, that is where buffered data reaches the disk).
class Hdf5Handle {
public:
    using Closer = herr_t (*)(hid_t);

    Hdf5Handle(hid_t id, Closer closer);
    ~Hdf5Handle();
    Hdf5Handle(Hdf5Handle&& other) noexcept;
    Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;

    hid_t get() const { return id_; }
    void close(const Hdf5Failure& failure, const std::string& call);

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// In the helpers below, `label` names the object in failure messages: a call
// fails as "<call> (<label>)", e.g. "H5Acreate2 (attribute magic)".

/// Whether this HDF5 can write deflate-compressed data.
bool deflate_available();

/// A variable-length UTF-8 string type, which is what h5py (and so bmtk and
/// most SONATA tools) write for strings; h5py reads it back as str.
Hdf5Handle make_utf8_string_type(const Hdf5Failure& failure, const std::string& label);

/// Writes scalar attribute `name` of `owner`, stored as `file_type`, from
/// `value` in `memory_type`.
void write_scalar_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    hid_t file_type, hid_t memory_type, const void* value, const std::string& label);

/// Writes scalar attribute `name` of `owner` as a variable-length UTF-8 string.
void write_string_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    const std::string& value, const std::string& label);

/// Reads the existing scalar attribute `name` of `owner` into `value`,
/// converting to `memory_type`.
void read_scalar_attribute(const Hdf5Failure& failure, hid_t owner, const char* name,
    hid_t memory_type, void* value, const std::string& label);

/// How a new dataset is stored: contiguous when chunk_rows is 0, otherwise
/// chunked by chunk_rows rows and, if `compress`, shuffled and deflated
/// (level 1: the fast one; writing must not stall a run).
struct DatasetStorage {
    hsize_t chunk_rows = 0;
    bool compress = false;
};

/// Creates dataset `name` in `group` of `rows` elements of `file_type` (rank
/// 1), or of rows x columns elements (rank 2) when columns > 1.
Hdf5Handle create_dataset(const Hdf5Failure& failure, hid_t group, const char* name,
    hid_t file_type, hsize_t rows, hsize_t columns, const DatasetStorage& storage,
    const std::string& label);

/// Writes all `count` elements of `dataset` from `values` in `memory_type`;
/// nothing when count is 0.
void write_whole_dataset(const Hdf5Failure& failure, hid_t dataset, hid_t memory_type,
    const void* values, std::size_t count, const std::string& label);

} // namespace dtb::sim::hdf5
