#pragma once
// Region-level structural connectivity (DTI tractography) as users bring it:
// The Virtual Brain's format (a directory with weights.txt, tract_lengths.txt,
// centres.txt; references.md section 6) or a plain labelled matrix (CSV or
// HDF5). Rows are targets, columns are sources, as in TVB.
#include <cstddef>
#include <string>
#include <vector>

namespace dtb::brain {

struct RegionConnectivity {
    std::string path;
    std::string format;                  // "tvb", "csv" or "hdf5"
    std::vector<std::string> labels;     // region labels as written (integers or names)
    std::vector<double> weights;         // N x N, row = target, column = source
    std::vector<double> tract_lengths_mm; // N x N, or empty (then centre distances)
    std::vector<double> centres_mm;      // 3 N, or empty

    std::size_t size() const { return labels.size(); }
};

/// Reads and checks connectivity from `path`:
/// - a directory: TVB (weights.txt N x N and centres.txt "label x y z" per
///   line required; tract_lengths.txt N x N optional), whitespace separated;
/// - *.csv: a header row "<anything>,L1,...,LN" and N rows "Li,w_i1,...,w_iN";
///   the row labels must equal the column labels in the same order;
/// - *.h5 / *.hdf5: datasets `weights` (N x N), `labels` (N integers or
///   strings), optional `tract_lengths` (N x N, mm) and `centres` (N x 3, mm).
/// Errors (std::runtime_error) name the file and say what is allowed: a
/// non-square matrix, label count != N, duplicate labels, NaN/infinite or
/// negative weights or tract lengths, fewer than 2 regions, a .zip (unpack it).
RegionConnectivity read_region_connectivity(const std::string& path);

} // namespace dtb::brain
