#pragma once
// How ensemble members are laid out over the world's ranks: the world is
// split (MPI_Comm_split) into G = min(ranks, members) member groups of
// neighbouring ranks ("members side by side"); group g simulates members
// m with m % G == g one after the other (batched), each member's network
// split over the group's ranks. World rank 0 is rank 0 of group 0.
#include <mpi.h>
#include <memory>
#include <vector>

#include "comm/communicator.hpp"

namespace dtb::assimilation {

class EnsembleLayout {
public:
    /// Collective over `world` (a Communicator over MPI_COMM_WORLD, or a
    /// single-process one).
    EnsembleLayout(comm::Communicator& world, std::size_t members);
    ~EnsembleLayout();
    EnsembleLayout(const EnsembleLayout&) = delete;
    EnsembleLayout& operator=(const EnsembleLayout&) = delete;

    int num_groups() const { return num_groups_; }
    int group() const { return group_; }
    /// This group's members, ascending.
    const std::vector<std::size_t>& members() const { return members_; }
    comm::Communicator& group_comm() { return *group_comm_; }
    MPI_Comm group_mpi() const { return group_mpi_; }

private:
    int num_groups_ = 1;
    int group_ = 0;
    std::vector<std::size_t> members_;
    MPI_Comm group_mpi_ = MPI_COMM_NULL;
    bool owns_group_mpi_ = false;
    std::unique_ptr<comm::Communicator> group_comm_;
};

} // namespace dtb::assimilation
