#include "sim/population_rate_writer.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dtb::sim {

namespace {

// Rate series longer than this are chunked and compressed (long runs with
// small bins); shorter ones stay contiguous, which every reader handles.
constexpr std::uint64_t CHUNK_BINS = std::uint64_t(1) << 16;

// Innermost HDF5 error message: the specific cause (errno text and all).
herr_t keep_innermost_error(unsigned n, const H5E_error2_t* error, void* client)
{
    if (n == 0 && error != nullptr && error->desc != nullptr)
        *static_cast<std::string*>(client) = error->desc;
    return 0;
}

// HDF5 must not print its own error stack while failures become exceptions
// carrying its message; the previous handler comes back on every exit path.
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

// Turns a failed HDF5 call into std::runtime_error naming the file and call.
class Hdf5Failure {
public:
    explicit Hdf5Failure(std::string path)
        : path_(std::move(path))
    {
    }
    [[noreturn]] void raise(const std::string& call) const
    {
        std::string detail;
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost_error, &detail);
        H5Eclear2(H5E_DEFAULT);
        throw std::runtime_error("rates file '" + path_ + "': " + call + " failed"
            + (detail.empty() ? std::string() : ": " + detail));
    }
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

private:
    std::string path_;
};

// Owns one hid_t; no id leaks when an exception unwinds. close() reports a
// failed close (for the file, that is when data reaches the disk).
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
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;

    hid_t get() const { return id_; }
    void close(const Hdf5Failure& failure, const std::string& call)
    {
        const hid_t id = std::exchange(id_, H5I_INVALID_HID);
        failure.check(closer_(id), call);
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

void write_scalar_attribute(const Hdf5Failure& failure, hid_t owner, const std::string& owner_path,
    const char* name, hid_t file_type, hid_t memory_type, const void* value)
{
    const std::string where = " (attribute " + owner_path + "@" + name + ")";
    Hdf5Handle space(failure.check_id(H5Screate(H5S_SCALAR), "H5Screate" + where), H5Sclose);
    Hdf5Handle attribute(
        failure.check_id(H5Acreate2(owner, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            "H5Acreate2" + where),
        H5Aclose);
    failure.check(H5Awrite(attribute.get(), memory_type, value), "H5Awrite" + where);
}

// Variable-length UTF-8, as h5py writes strings (read back as str).
void write_string_attribute(const Hdf5Failure& failure, hid_t owner, const std::string& owner_path,
    const char* name, const std::string& value)
{
    const std::string where = " (attribute " + owner_path + "@" + name + ")";
    Hdf5Handle type(failure.check_id(H5Tcopy(H5T_C_S1), "H5Tcopy" + where), H5Tclose);
    failure.check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size" + where);
    failure.check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset" + where);
    const char* text = value.c_str();
    write_scalar_attribute(failure, owner, owner_path, name, type.get(), type.get(), &text);
}

bool deflate_available()
{
    unsigned int config = 0;
    return H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0
        && H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) >= 0
        && (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

void validate(const std::string& path, const std::vector<PopulationRange>& populations,
    double bin_ms, const std::vector<std::vector<double>>& rates_hz)
{
    const std::string prefix = "rates file '" + path + "': ";
    if (!(std::isfinite(bin_ms) && bin_ms > 0.0))
        throw std::invalid_argument(
            prefix + "bin_ms must be a positive finite number, got " + std::to_string(bin_ms));
    if (rates_hz.size() != populations.size())
        throw std::invalid_argument(prefix + std::to_string(populations.size())
            + " populations but " + std::to_string(rates_hz.size()) + " rate series");
    std::vector<std::string> names;
    for (std::size_t p = 0; p < populations.size(); ++p) {
        const auto& name = populations[p].name;
        // The name becomes an HDF5 link under /rates.
        if (name.empty() || name == "." || name.find('/') != std::string::npos)
            throw std::invalid_argument(prefix + "population name '" + name
                + "' cannot be an HDF5 dataset name: it must be non-empty, "
                  "not '.', and without '/'");
        // All series come from one run with one bin width: a different
        // length means the caller mixed up its bins.
        if (rates_hz[p].size() != rates_hz.front().size())
            throw std::invalid_argument(prefix + "population '" + name + "' has "
                + std::to_string(rates_hz[p].size()) + " bins, population '"
                + populations.front().name + "' has " + std::to_string(rates_hz.front().size()));
        for (std::size_t b = 0; b < rates_hz[p].size(); ++b)
            if (!(std::isfinite(rates_hz[p][b]) && rates_hz[p][b] >= 0.0))
                throw std::invalid_argument(prefix + "population '" + name + "' bin "
                    + std::to_string(b) + ": rate " + std::to_string(rates_hz[p][b])
                    + " Hz is not a finite non-negative number");
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    const auto duplicate = std::adjacent_find(names.begin(), names.end());
    if (duplicate != names.end())
        throw std::invalid_argument(prefix + "population name '" + *duplicate + "' appears twice");
}

void write_rate_series(const Hdf5Failure& failure, hid_t rates_group,
    const PopulationRange& population, const std::vector<double>& rates, bool compress)
{
    const std::string dataset_path = "/rates/" + population.name;
    const std::string where = " (dataset " + dataset_path + ")";
    const hsize_t bins = rates.size();
    Hdf5Handle space(
        failure.check_id(H5Screate_simple(1, &bins, nullptr), "H5Screate_simple" + where),
        H5Sclose);
    Hdf5Handle properties(
        failure.check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate" + where), H5Pclose);
    if (bins > CHUNK_BINS) {
        const hsize_t chunk = CHUNK_BINS;
        failure.check(H5Pset_chunk(properties.get(), 1, &chunk), "H5Pset_chunk" + where);
        if (compress) {
            failure.check(H5Pset_shuffle(properties.get()), "H5Pset_shuffle" + where);
            failure.check(H5Pset_deflate(properties.get(), 1), "H5Pset_deflate" + where);
        }
    }
    Hdf5Handle dataset(
        failure.check_id(H5Dcreate2(rates_group, population.name.c_str(), H5T_IEEE_F64LE,
                             space.get(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
            "H5Dcreate2" + where),
        H5Dclose);
    if (bins > 0)
        failure.check(
            H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rates.data()),
            "H5Dwrite" + where);
    const std::uint64_t size = population.size;
    write_scalar_attribute(
        failure, dataset.get(), dataset_path, "size", H5T_STD_U64LE, H5T_NATIVE_UINT64, &size);
    write_string_attribute(failure, dataset.get(), dataset_path, "units", "Hz");
    dataset.close(failure, "H5Dclose" + where);
}

} // namespace

void write_population_rates(const std::string& path,
    const std::vector<PopulationRange>& populations, double bin_ms,
    const std::vector<std::vector<double>>& rates_hz)
{
    validate(path, populations, bin_ms, rates_hz);

    const Hdf5Failure failure(path);
    const Hdf5ErrorPrintingOff quiet;
    const bool compress = deflate_available();

    Hdf5Handle file(
        failure.check_id(
            H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"),
        H5Fclose);
    {
        Hdf5Handle rates_group(
            failure.check_id(H5Gcreate2(file.get(), "rates", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                "H5Gcreate2 (group /rates)"),
            H5Gclose);
        const double t_start_ms = 0.0;
        write_scalar_attribute(failure, rates_group.get(), "/rates", "bin_ms", H5T_IEEE_F64LE,
            H5T_NATIVE_DOUBLE, &bin_ms);
        write_scalar_attribute(failure, rates_group.get(), "/rates", "t_start_ms", H5T_IEEE_F64LE,
            H5T_NATIVE_DOUBLE, &t_start_ms);
        for (std::size_t p = 0; p < populations.size(); ++p)
            write_rate_series(failure, rates_group.get(), populations[p], rates_hz[p], compress);
        rates_group.close(failure, "H5Gclose (group /rates)");
    }
    file.close(failure, "H5Fclose");
}

} // namespace dtb::sim
