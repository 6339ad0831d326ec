#pragma once
// MPI implementation of Communicator, and the RAII session that initialises
// and finalises MPI (before Kokkos, after Kokkos: style.md).
#include <mpi.h>
#include <memory>

#include "comm/communicator.hpp"

namespace dtb::comm {

/// MPI_Init / MPI_Finalize; sets MPI_ERRORS_RETURN on MPI_COMM_WORLD so
/// errors reach check_mpi instead of aborting without a message.
class MpiSession {
public:
    MpiSession(int& argc, char**& argv);
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
};

/// A Communicator over `comm` (not owned; MPI_COMM_WORLD by default).
std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm = MPI_COMM_WORLD);

} // namespace dtb::comm
