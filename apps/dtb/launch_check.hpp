#pragma once
// Catches a mis-wired launch: under Slurm, SLURM_NTASKS says how many ranks
// the job asked for; if MPI's world is smaller (srun without PMI starts N
// independent single-rank copies), the N copies would each run the whole
// simulation and overwrite each other's output.
#include <string>

#include "comm/communicator.hpp"

namespace dtb::app {

/// An error message when SLURM_NTASKS is set and differs from the world
/// size; empty when the launch is consistent (or not under Slurm).
std::string launch_mismatch(const comm::Communicator& world);

} // namespace dtb::app
