#include "sim/population_rate_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/hdf5_support.hpp"

namespace dtb::sim {

namespace {

// Rate series longer than this are chunked and compressed (long runs with
// small bins); shorter ones stay contiguous, which every reader handles.
constexpr std::uint64_t CHUNK_BINS = std::uint64_t(1) << 16;

using hdf5::Hdf5ErrorPrintingOff;
using hdf5::Hdf5Failure;
using hdf5::Hdf5Handle;

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
    const std::string label = "dataset " + dataset_path;
    hdf5::DatasetStorage storage;
    if (rates.size() > CHUNK_BINS) {
        storage.chunk_rows = CHUNK_BINS;
        storage.compress = compress;
    }
    Hdf5Handle dataset = hdf5::create_dataset(failure, rates_group, population.name.c_str(),
        H5T_IEEE_F64LE, rates.size(), 1, storage, label);
    hdf5::write_whole_dataset(
        failure, dataset.get(), H5T_NATIVE_DOUBLE, rates.data(), rates.size(), label);
    const std::uint64_t size = population.size;
    hdf5::write_scalar_attribute(failure, dataset.get(), "size", H5T_STD_U64LE, H5T_NATIVE_UINT64,
        &size, "attribute " + dataset_path + "@size");
    hdf5::write_string_attribute(
        failure, dataset.get(), "units", "Hz", "attribute " + dataset_path + "@units");
    dataset.close(failure, "H5Dclose (" + label + ")");
}

} // namespace

void write_population_rates(const std::string& path,
    const std::vector<PopulationRange>& populations, double bin_ms,
    const std::vector<std::vector<double>>& rates_hz)
{
    validate(path, populations, bin_ms, rates_hz);

    const Hdf5Failure failure("rates file", path);
    const Hdf5ErrorPrintingOff quiet;
    const bool compress = hdf5::deflate_available();

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
        hdf5::write_scalar_attribute(failure, rates_group.get(), "bin_ms", H5T_IEEE_F64LE,
            H5T_NATIVE_DOUBLE, &bin_ms, "attribute /rates@bin_ms");
        hdf5::write_scalar_attribute(failure, rates_group.get(), "t_start_ms", H5T_IEEE_F64LE,
            H5T_NATIVE_DOUBLE, &t_start_ms, "attribute /rates@t_start_ms");
        for (std::size_t p = 0; p < populations.size(); ++p)
            write_rate_series(failure, rates_group.get(), populations[p], rates_hz[p], compress);
        rates_group.close(failure, "H5Gclose (group /rates)");
    }
    file.close(failure, "H5Fclose");
}

} // namespace dtb::sim
