#pragma once
// Long-range connectivity between the voxels of a brain model, in the form
// the bundle stores it (sim/brain_arrays.hpp): CSR over target voxels, each
// row a probability distribution over source voxels u != v (weights sum to
// 1), with a conduction delay per entry.
#include <cstdint>
#include <vector>

namespace dtb::brain {

struct VoxelConnectivity {
    std::vector<std::uint64_t> row_ptr; // V + 1
    std::vector<std::uint32_t> source;  // ascending within a row
    std::vector<double> weight;
    std::vector<double> delay_ms;
    std::uint64_t delays_from_distance = 0; // entries whose delay came from centre distance, not a tract length
    std::uint64_t truncated_rows = 0;       // rows that kept only max_sources entries
    // Mean over non-empty rows of the share of the row's untruncated weight
    // that the kept entries carry (1 when nothing was cut off).
    double kept_weight_fraction = 1;
};

struct ConnectivitySettings {
    double velocity_m_per_s = 3.0;   // = mm/ms; TVB's default conduction speed
    std::uint32_t max_sources = 200; // entries kept per row (keeps V x nnz small)
    double min_delay_ms = 0.1;       // shorter delays are raised to this (one step of dt)
};

/// One entry of a row while rows are built.
struct ConnectionEntry {
    std::uint32_t source;
    double weight;
    double delay_ms;
};

/// Sorts each row by source, normalises its weights to sum 1 (rows without
/// positive weight become empty) and packs the rows into CSR; frees `rows`.
VoxelConnectivity assemble_connectivity(std::vector<std::vector<ConnectionEntry>>& rows);

/// Conduction delay: length / velocity (mm / (m/s) = ms), at least min_delay_ms.
inline double conduction_delay_ms(double length_mm, const ConnectivitySettings& settings)
{
    const double delay = length_mm / settings.velocity_m_per_s;
    return delay > settings.min_delay_ms ? delay : settings.min_delay_ms;
}

} // namespace dtb::brain
