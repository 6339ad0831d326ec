#include "sim/brain/region_connectivity.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <utility>

namespace dtb::brain {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& message)
{
    throw std::runtime_error("--connectivity " + file + ": " + message);
}

bool ends_with(const std::string& text, const std::string& suffix)
{
    if (text.size() < suffix.size())
        return false;
    std::string tail = text.substr(text.size() - suffix.size());
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
    return tail == suffix;
}

std::string trim(const std::string& text)
{
    const char* space = " \t\r\n\"'";
    const auto begin = text.find_first_not_of(space);
    if (begin == std::string::npos)
        return {};
    const auto end = text.find_last_not_of(space);
    return text.substr(begin, end - begin + 1);
}

double parse_number(const std::string& token, const std::string& file, std::size_t line, std::size_t column)
{
    const std::string text = trim(token);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end == text.c_str() || *end != '\0')
        fail(file, "line " + std::to_string(line) + ", column " + std::to_string(column) + ": '" + text
                + "' is not a number");
    return value;
}

std::ifstream open_text(const std::string& file)
{
    std::ifstream in(file);
    if (!in)
        fail(file, std::string("cannot open: ") + std::strerror(errno));
    return in;
}

// A whitespace-separated numeric matrix, one row per non-empty line.
std::vector<std::vector<double>> read_whitespace_matrix(const std::string& file)
{
    std::ifstream in = open_text(file);
    std::vector<std::vector<double>> rows;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        std::istringstream tokens(line);
        std::vector<double> row;
        std::string token;
        while (tokens >> token)
            row.push_back(parse_number(token, file, number, row.size() + 1));
        if (!row.empty())
            rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<double> square_matrix(const std::vector<std::vector<double>>& rows, const std::string& file,
    std::size_t expected, const std::string& what)
{
    if (rows.size() != expected)
        fail(file, what + " has " + std::to_string(rows.size()) + " rows; allowed: " + std::to_string(expected)
                + " (one per region)");
    std::vector<double> out;
    out.reserve(expected * expected);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].size() != expected)
            fail(file, what + " row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size())
                    + " columns; allowed: " + std::to_string(expected) + " (a square N x N matrix)");
        out.insert(out.end(), rows[r].begin(), rows[r].end());
    }
    return out;
}

RegionConnectivity read_tvb_directory(const std::string& dir)
{
    RegionConnectivity c;
    c.path = dir;
    c.format = "tvb";
    const std::string centres_file = dir + "/centres.txt";
    const std::string weights_file = dir + "/weights.txt";
    const std::string tracts_file = dir + "/tract_lengths.txt";
    struct stat info {};
    for (const auto& required : { weights_file, centres_file })
        if (::stat(required.c_str(), &info) != 0)
            fail(dir, "a TVB connectivity directory needs weights.txt and centres.txt (label x y z per region); "
                      "missing " + required);
    {
        std::ifstream in = open_text(centres_file);
        std::string line;
        for (std::size_t number = 1; std::getline(in, line); ++number) {
            std::istringstream tokens(line);
            std::vector<std::string> fields;
            std::string token;
            while (tokens >> token)
                fields.push_back(token);
            if (fields.empty())
                continue;
            if (fields.size() != 4)
                fail(centres_file, "line " + std::to_string(number) + " has " + std::to_string(fields.size())
                        + " fields; allowed: 4 (label x y z)");
            c.labels.push_back(fields[0]);
            for (std::size_t axis = 1; axis <= 3; ++axis)
                c.centres_mm.push_back(parse_number(fields[axis], centres_file, number, axis + 1));
        }
    }
    const std::size_t n = c.labels.size();
    c.weights = square_matrix(read_whitespace_matrix(weights_file), weights_file, n,
        "the matrix (regions from centres.txt: " + std::to_string(n) + ")");
    if (::stat(tracts_file.c_str(), &info) == 0)
        c.tract_lengths_mm = square_matrix(read_whitespace_matrix(tracts_file), tracts_file, n,
            "the matrix (regions from centres.txt: " + std::to_string(n) + ")");
    return c;
}

std::vector<std::string> split_csv_line(const std::string& line)
{
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ','))
        fields.push_back(trim(field));
    if (!line.empty() && line.back() == ',')
        fields.emplace_back();
    return fields;
}

RegionConnectivity read_csv_matrix(const std::string& file)
{
    RegionConnectivity c;
    c.path = file;
    c.format = "csv";
    std::ifstream in = open_text(file);
    std::string line;
    std::size_t number = 0;
    std::vector<std::string> header;
    while (header.empty() && std::getline(in, line)) {
        ++number;
        if (!trim(line).empty())
            header = split_csv_line(line);
    }
    if (header.size() < 2)
        fail(file, "no header row; allowed: a first row '<anything>,L1,...,LN' naming the source regions");
    c.labels.assign(header.begin() + 1, header.end());
    const std::size_t n = c.labels.size();
    std::size_t row = 0;
    while (std::getline(in, line)) {
        ++number;
        if (trim(line).empty())
            continue;
        const auto fields = split_csv_line(line);
        if (row >= n)
            fail(file, "line " + std::to_string(number) + ": more rows than the " + std::to_string(n)
                    + " labels of the header; allowed: a square N x N matrix");
        if (fields.size() != n + 1)
            fail(file, "line " + std::to_string(number) + " has " + std::to_string(fields.size() - 1)
                    + " values; allowed: " + std::to_string(n) + " (one per header label)");
        if (fields[0] != c.labels[row])
            fail(file, "line " + std::to_string(number) + ": row label '" + fields[0]
                    + "' differs from column label " + std::to_string(row + 1) + " '" + c.labels[row]
                    + "'; allowed: rows labelled in the same order as the columns");
        for (std::size_t col = 1; col <= n; ++col)
            c.weights.push_back(parse_number(fields[col], file, number, col + 1));
        ++row;
    }
    if (row != n)
        fail(file, "has " + std::to_string(row) + " matrix rows for " + std::to_string(n)
                + " labels; allowed: a square N x N matrix");
    return c;
}

// --- HDF5 matrix ----------------------------------------------------------------

class Hdf5Id {
public:
    Hdf5Id(hid_t id, herr_t (*closer)(hid_t))
        : id_(id)
        , closer_(closer)
    {
    }
    ~Hdf5Id()
    {
        if (id_ >= 0)
            closer_(id_);
    }
    Hdf5Id(const Hdf5Id&) = delete;
    Hdf5Id& operator=(const Hdf5Id&) = delete;
    hid_t get() const { return id_; }

private:
    hid_t id_;
    herr_t (*closer_)(hid_t);
};

class Hdf5QuietErrors {
public:
    Hdf5QuietErrors()
    {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~Hdf5QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    Hdf5QuietErrors(const Hdf5QuietErrors&) = delete;
    Hdf5QuietErrors& operator=(const Hdf5QuietErrors&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// Dimensions of dataset `name`, or empty when it does not exist.
std::vector<hsize_t> dataset_dims(hid_t file, const std::string& path, const char* name)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return {};
    Hdf5Id dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    if (dataset.get() < 0)
        fail(path, std::string("cannot open dataset /") + name);
    Hdf5Id space(H5Dget_space(dataset.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 1 || rank > 2)
        fail(path, std::string("dataset /") + name + " has rank " + std::to_string(rank) + "; allowed: 1 or 2");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return dims;
}

std::vector<double> read_doubles(hid_t file, const std::string& path, const char* name, std::size_t count)
{
    Hdf5Id dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    Hdf5Id type(H5Dget_type(dataset.get()), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
        fail(path, std::string("dataset /") + name + " is not numeric");
    std::vector<double> values(count);
    if (count > 0 && H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        fail(path, std::string("cannot read dataset /") + name);
    return values;
}

std::vector<std::string> read_labels(hid_t file, const std::string& path, std::size_t count)
{
    Hdf5Id dataset(H5Dopen2(file, "labels", H5P_DEFAULT), H5Dclose);
    Hdf5Id type(H5Dget_type(dataset.get()), H5Tclose);
    std::vector<std::string> labels(count);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class == H5T_INTEGER) {
        std::vector<long long> values(count);
        if (H5Dread(dataset.get(), H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
            fail(path, "cannot read dataset /labels");
        for (std::size_t i = 0; i < count; ++i)
            labels[i] = std::to_string(values[i]);
    } else if (type_class == H5T_STRING) {
        if (H5Tis_variable_str(type.get()) > 0) {
            Hdf5Id memory(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(memory.get(), H5T_VARIABLE);
            H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
            std::vector<char*> pointers(count, nullptr);
            if (H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
                fail(path, "cannot read dataset /labels");
            for (std::size_t i = 0; i < count; ++i)
                labels[i] = pointers[i] != nullptr ? pointers[i] : "";
            Hdf5Id space(H5Dget_space(dataset.get()), H5Sclose);
            H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
        } else {
            // One byte more than stored, so that a NULLPAD string filling
            // its whole width keeps its last character.
            const std::size_t size = H5Tget_size(type.get()) + 1;
            Hdf5Id memory(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(memory.get(), size);
            std::vector<char> buffer(size * count);
            if (H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
                fail(path, "cannot read dataset /labels");
            for (std::size_t i = 0; i < count; ++i)
                labels[i] = std::string(buffer.data() + i * size, ::strnlen(buffer.data() + i * size, size));
        }
    } else {
        fail(path, "dataset /labels must hold integers or strings");
    }
    for (auto& label : labels)
        label = trim(label);
    return labels;
}

RegionConnectivity read_hdf5_matrix(const std::string& path)
{
    Hdf5QuietErrors quiet;
    RegionConnectivity c;
    c.path = path;
    c.format = "hdf5";
    Hdf5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (file.get() < 0)
        fail(path, "cannot open as HDF5");
    const auto weight_dims = dataset_dims(file.get(), path, "weights");
    if (weight_dims.size() != 2 || weight_dims[0] != weight_dims[1])
        fail(path, "needs a square 2-D dataset /weights (row = target, column = source)");
    const std::size_t n = weight_dims[0];
    const auto label_dims = dataset_dims(file.get(), path, "labels");
    if (label_dims.size() != 1)
        fail(path, "needs a 1-D dataset /labels (one integer or string per region)");
    if (label_dims[0] != n)
        fail(path, "/labels has " + std::to_string(label_dims[0]) + " entries; allowed: "
                + std::to_string(n) + " (the size of /weights)");
    c.labels = read_labels(file.get(), path, n);
    c.weights = read_doubles(file.get(), path, "weights", n * n);
    const auto tract_dims = dataset_dims(file.get(), path, "tract_lengths");
    if (!tract_dims.empty()) {
        if (tract_dims.size() != 2 || tract_dims[0] != n || tract_dims[1] != n)
            fail(path, "/tract_lengths must be " + std::to_string(n) + " x " + std::to_string(n) + " like /weights");
        c.tract_lengths_mm = read_doubles(file.get(), path, "tract_lengths", n * n);
    }
    const auto centre_dims = dataset_dims(file.get(), path, "centres");
    if (!centre_dims.empty()) {
        if (centre_dims.size() != 2 || centre_dims[0] != n || centre_dims[1] != 3)
            fail(path, "/centres must be " + std::to_string(n) + " x 3 (x y z in mm per region)");
        c.centres_mm = read_doubles(file.get(), path, "centres", 3 * n);
    }
    return c;
}

void check_connectivity(const RegionConnectivity& c)
{
    const std::size_t n = c.size();
    if (n < 2)
        fail(c.path, "has " + std::to_string(n) + " regions; allowed: at least 2");
    std::set<std::string> seen;
    for (const auto& label : c.labels) {
        if (label.empty())
            fail(c.path, "an empty region label; allowed: an integer atlas label or a region name");
        if (!seen.insert(label).second)
            fail(c.path, "label '" + label + "' appears twice; allowed: unique labels");
    }
    const auto check_matrix = [&](const std::vector<double>& m, const std::string& what) {
        for (std::size_t k = 0; k < m.size(); ++k)
            if (!std::isfinite(m[k]) || m[k] < 0)
                fail(c.path, what + " row " + std::to_string(k / n + 1) + " ('" + c.labels[k / n] + "'), column "
                        + std::to_string(k % n + 1) + " ('" + c.labels[k % n] + "') is " + std::to_string(m[k])
                        + "; allowed: finite and >= 0");
    };
    check_matrix(c.weights, "weight");
    check_matrix(c.tract_lengths_mm, "tract length");
    for (double x : c.centres_mm)
        if (!std::isfinite(x))
            fail(c.path, "a region centre is not finite");
}

} // namespace

RegionConnectivity read_region_connectivity(const std::string& path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        fail(path, std::string("cannot open: ") + std::strerror(errno));
    RegionConnectivity c;
    if (S_ISDIR(info.st_mode))
        c = read_tvb_directory(path);
    else if (ends_with(path, ".zip"))
        fail(path, "zip archives are not read; unpack it (unzip FILE -d DIR) and pass the directory with "
                   "weights.txt, tract_lengths.txt and centres.txt");
    else if (ends_with(path, ".csv"))
        c = read_csv_matrix(path);
    else if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
        c = read_hdf5_matrix(path);
    else
        fail(path, "unknown connectivity format; allowed: a TVB directory, a .csv or an .h5/.hdf5 matrix file");
    check_connectivity(c);
    return c;
}

} // namespace dtb::brain
