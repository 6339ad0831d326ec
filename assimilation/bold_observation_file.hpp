#pragma once
// Observed (or synthetic) BOLD, regions x time:
//   .csv           one row per region, values separated by commas; empty
//                  lines and lines starting with '#' are skipped;
//   .h5 / .hdf5    a float64 dataset (default /bold) of shape regions x TRs,
//                  optional attribute tr_ms.
// Errors (a missing file, ragged rows, NaN/inf) throw std::runtime_error
// naming the file, the row/dataset and what is wrong.
#include <cstddef>
#include <string>
#include <vector>

namespace dtb::assimilation {

struct BoldSeries {
    std::size_t regions = 0;
    std::size_t trs = 0;
    std::vector<double> values; // [region * trs + tr]
    double tr_ms = 0;           // 0 if the file does not say

    double at(std::size_t region, std::size_t tr) const { return values[region * trs + tr]; }
};

BoldSeries read_bold_file(const std::string& path, const std::string& dataset = "bold");

/// Writes `series` as /bold (regions x TRs, attribute tr_ms) to an HDF5 file
/// (under a temporary name, renamed when complete).
void write_bold_file(const std::string& path, const BoldSeries& series);

/// Min-max rescales each region's series into [low, high] (the DTB's
/// [0.02, 0.05]); a constant series becomes the midpoint.
void rescale_bold(BoldSeries& series, double low = 0.02, double high = 0.05);

} // namespace dtb::assimilation
