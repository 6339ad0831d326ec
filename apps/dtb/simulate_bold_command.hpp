#pragma once
// `dtb simulate-bold CONFIG --out FILE.h5`: synthetic BOLD for twin
// experiments. Runs the config's model once, open loop, with every estimated
// hyperparameter at its `truth`, for `trs` TRs of `tr_ms`, and writes /bold
// (regions x TRs, attribute tr_ms) in the format `dtb assimilate` reads.
// `--out FILE.nii[.gz] --atlas ATLAS` writes it instead as a 4-D fMRI image on
// the grid of the model's atlas (each atlas voxel holds its model voxel's
// series), which `dtb assimilate` reads through `bold_nifti`.
#include <cstdint>
#include <optional>
#include <string>

#include "comm/communicator.hpp"

namespace dtb::app {

struct SimulateBoldOptions {
    std::string config_path;
    std::string out_path;
    std::string atlas_path;              // with a .nii/.nii.gz out_path: the model's atlas
    std::optional<std::size_t> trs;      // overrides the config
    std::optional<std::uint64_t> seed;   // network seed, overrides truth_seed / the model's
};

int simulate_bold_command(const SimulateBoldOptions& options, comm::Communicator& world);

} // namespace dtb::app
