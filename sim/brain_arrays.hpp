#pragma once
// The large arrays of a whole-brain model bundle (docs/brain_bundle.md): the
// voxel table and the sparse voxel connectivity, stored in an HDF5 file next
// to the model file (`brain: {arrays: brain.h5}`). This is the one reader and
// writer of that file; the builder (`dtb build-brain`) writes it, the engine
// (voxel_local / voxel_dti rules, partitioner) reads it.
//
// HDF5 layout:
//   /voxels/count_e, count_i        uint64 [V]
//   /voxels/indegree                uint32 [V]
//   /voxels/centre_mm               float64 [V x 3]
//   /voxels/label                   int64 [V]
//   /voxels/grey_matter, density    float64 [V]
//   /voxels attribute voxel_mm      float64
//   /connectivity/row_ptr           uint64 [V + 1]
//   /connectivity/source            uint32 [nnz]
//   /connectivity/weight, delay_ms  float64 [nnz]
//   /connectivity attributes kind (string), velocity_m_per_s (float64)
//   /regions/label int64 [R], /regions/name string [R]   (optional)
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dtb::sim {

struct BrainArrays {
    // voxel table, V entries each
    std::vector<std::uint64_t> count_e, count_i; // neurons per voxel (E:I = 4:1 per voxel up to rounding)
    std::vector<std::uint32_t> indegree;         // K_v, in-synapses per neuron of the voxel
    std::vector<double> centre_mm;               // 3*V, x y z per voxel (world mm)
    std::vector<std::int64_t> label;             // atlas/region label per voxel
    std::vector<double> grey_matter;             // grey-matter volume per voxel (mm^3 or relative)
    std::vector<double> density;                 // relative synaptic density (1 without PET)
    // connectivity, CSR over TARGET voxels: row v lists source voxels u != v
    std::vector<std::uint64_t> row_ptr; // V+1
    std::vector<std::uint32_t> source;  // nnz
    std::vector<double> weight;         // nnz; each non-empty row sums to 1 (row-normalised, diagonal zeroed)
    std::vector<double> delay_ms;       // nnz
    std::string connectivity_kind;      // "dti" or "exponential_distance_rule"
    double velocity_m_per_s = 0;        // used for delays
    double voxel_mm = 0;                // 0 for region-level models
    // Optional region names (written to /regions when non-empty; same length).
    std::vector<std::int64_t> region_label;
    std::vector<std::string> region_name;
    std::size_t num_voxels() const { return count_e.size(); }
};

/// Checks `arrays` as read_brain_arrays does; throws std::runtime_error whose
/// message starts with `context` (a file name) and names the dataset.
void check_brain_arrays(const BrainArrays& arrays, const std::string& context);

/// Reads and checks (shapes agree, rows sum to 1 within 1e-9 or are empty,
/// indices < V, no self-loops, finite non-negative values, delays > 0);
/// throws std::runtime_error naming the file and the dataset.
BrainArrays read_brain_arrays(const std::string& path);

/// Writes `arrays` (checked the same way first) to `path`, under a temporary
/// name renamed onto `path` when complete.
void write_brain_arrays(const std::string& path, const BrainArrays& arrays);

} // namespace dtb::sim
