#include "assimilation/bold_observation_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "assimilation/hdf5_datasets.hpp"
#include "sim/staged_file.hpp"

namespace dtb::assimilation {

namespace {

bool has_suffix(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

BoldSeries read_csv(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(path + ": cannot open the BOLD file");
    BoldSeries series;
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#')
            continue;
        std::vector<double> row;
        std::stringstream fields(line);
        std::string field;
        while (std::getline(fields, field, ',')) {
            char* end = nullptr;
            const double value = std::strtod(field.c_str(), &end);
            while (end && (*end == ' ' || *end == '\t' || *end == '\r'))
                ++end;
            if (end == field.c_str() || (end && *end != '\0'))
                throw std::runtime_error(path + ": line " + std::to_string(line_number) + ": '" + field
                    + "' is not a number");
            if (!std::isfinite(value))
                throw std::runtime_error(path + ": line " + std::to_string(line_number)
                    + ": BOLD values must be finite (found " + field + ")");
            row.push_back(value);
        }
        if (series.regions == 0)
            series.trs = row.size();
        else if (row.size() != series.trs)
            throw std::runtime_error(path + ": line " + std::to_string(line_number) + " has " + std::to_string(row.size())
                + " values, the first row has " + std::to_string(series.trs) + " (one row per region, one column per TR)");
        series.values.insert(series.values.end(), row.begin(), row.end());
        ++series.regions;
    }
    if (series.regions == 0 || series.trs == 0)
        throw std::runtime_error(path + ": no BOLD values");
    return series;
}

BoldSeries read_hdf5(const std::string& path, const std::string& dataset)
{
    const auto file = hdf5::open_file_read(path);
    const std::string name = dataset.empty() ? "/bold" : (dataset[0] == '/' ? dataset : "/" + dataset);
    std::vector<hsize_t> shape;
    BoldSeries series;
    series.values = hdf5::read_doubles(file.get(), name, shape, path);
    if (shape.size() != 2 || shape[0] == 0 || shape[1] == 0)
        throw std::runtime_error(path + ": " + name + " must be a 2-D dataset, regions x TRs");
    series.regions = shape[0];
    series.trs = shape[1];
    for (std::size_t i = 0; i < series.values.size(); ++i)
        if (!std::isfinite(series.values[i]))
            throw std::runtime_error(path + ": " + name + ": BOLD values must be finite (region "
                + std::to_string(i / series.trs) + ", TR " + std::to_string(i % series.trs) + ")");
    series.tr_ms = hdf5::read_attribute(file.get(), name, "tr_ms", 0);
    return series;
}

} // namespace

BoldSeries read_bold_file(const std::string& path, const std::string& dataset)
{
    if (has_suffix(path, ".csv"))
        return read_csv(path);
    if (has_suffix(path, ".h5") || has_suffix(path, ".hdf5"))
        return read_hdf5(path, dataset);
    throw std::runtime_error(path + ": unknown BOLD file type; allowed: .csv, .h5, .hdf5");
}

void write_bold_file(const std::string& path, const BoldSeries& series)
{
    sim::StagedFile staged(path);
    {
        const auto file = hdf5::create_file(staged.temp_path());
        hdf5::write_doubles(file.get(), "/bold", series.values, {series.regions, series.trs}, path);
        hdf5::Handle set(H5Dopen2(file.get(), "/bold", H5P_DEFAULT), H5Dclose);
        hdf5::write_attribute(set.get(), "tr_ms", series.tr_ms, path);
    }
    staged.commit();
}

void rescale_bold(BoldSeries& series, double low, double high)
{
    for (std::size_t r = 0; r < series.regions; ++r) {
        const auto begin = series.values.begin() + static_cast<std::ptrdiff_t>(r * series.trs);
        const auto end = begin + static_cast<std::ptrdiff_t>(series.trs);
        const auto [min_it, max_it] = std::minmax_element(begin, end);
        const double lo = *min_it, span = *max_it - *min_it;
        for (auto it = begin; it != end; ++it)
            *it = span > 0 ? low + (high - low) * (*it - lo) / span : 0.5 * (low + high);
    }
}

} // namespace dtb::assimilation
