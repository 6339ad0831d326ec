#pragma once
// The model.yaml of a brain bundle: the DTB voxel network (references.md
// sections 1 and 2) over the populations E and I, ordered by voxel, whose
// per-voxel sizes, in-degrees and connectivity live in the arrays file.
#include <cstdint>
#include <string>

namespace dtb::brain {

struct BrainModelSpec {
    std::string name;
    std::string arrays_file = "brain.h5"; // relative to the model file
    std::uint64_t num_excitatory = 0;
    std::uint64_t num_inhibitory = 0;
    double dt_ms = 0.1;
    double t_stop_ms = 1000;
    std::uint64_t seed = 1;
};

/// The YAML text: lif_dtb populations with the 2023-24 DTB parameters and the
/// calibrated conductances of references.md section 1, OU background
/// (0.66 nA, 0.12 nA, 10 ms), and onto each of E and I the projections
/// voxel_local E (4/7), voxel_local I (1/7), voxel_dti E (2/7), weights
/// U[0, 1), local delays 1 ms.
std::string brain_model_yaml(const BrainModelSpec& spec);

} // namespace dtb::brain
