#include "assimilation/ensemble_layout.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "comm/mpi_communicator.hpp"

namespace dtb::assimilation {

EnsembleLayout::EnsembleLayout(comm::Communicator& world, std::size_t members)
{
    const int size = world.size();
    num_groups_ = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(size), members));
    group_ = static_cast<int>(static_cast<long long>(world.rank()) * num_groups_ / size);
    for (std::size_t m = static_cast<std::size_t>(group_); m < members; m += static_cast<std::size_t>(num_groups_))
        members_.push_back(m);
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (size > 1) {
        if (world.kind() != "MPI" || !initialised)
            throw std::logic_error("EnsembleLayout: a multi-rank world must be MPI_COMM_WORLD");
        const int rc = MPI_Comm_split(MPI_COMM_WORLD, group_, world.rank(), &group_mpi_);
        if (rc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int length = 0;
            MPI_Error_string(rc, text, &length);
            throw std::runtime_error(std::string("MPI_Comm_split (ensemble member groups): ") + text);
        }
        MPI_Comm_set_errhandler(group_mpi_, MPI_ERRORS_RETURN);
        owns_group_mpi_ = true;
        group_comm_ = comm::make_mpi_communicator(group_mpi_);
    } else {
        group_mpi_ = initialised ? MPI_COMM_WORLD : MPI_COMM_NULL;
        group_comm_ = comm::make_local_communicator();
    }
}

EnsembleLayout::~EnsembleLayout()
{
    group_comm_.reset();
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owns_group_mpi_ && !finalised)
        MPI_Comm_free(&group_mpi_);
}

} // namespace dtb::assimilation
