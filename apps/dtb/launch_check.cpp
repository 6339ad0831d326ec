#include "launch_check.hpp"

#include <cstdlib>

namespace dtb::app {

std::string launch_mismatch(const comm::Communicator& world)
{
    const char* ntasks = std::getenv("SLURM_NTASKS");
    if (ntasks == nullptr || *ntasks == '\0')
        return "";
    char* end = nullptr;
    const long requested = std::strtol(ntasks, &end, 10);
    if (*end != '\0' || requested < 1)
        return "";
    if (requested == world.size())
        return "";
    return "SLURM_NTASKS=" + std::string(ntasks) + " but the MPI world has " + std::to_string(world.size())
        + " rank" + (world.size() == 1 ? "" : "s")
        + ": the ranks were started as separate MPI jobs (srun without a working PMI plugin?). "
          "Launch with `srun --mpi=pmix dtb ...` or `mpirun -np $SLURM_NTASKS dtb ...` inside the allocation";
}

} // namespace dtb::app
