#pragma once
// Every MPI call in comm/ goes through check_mpi: MPI_COMM_WORLD is set to
// return errors, and a failing call throws with MPI's own error string and
// the name of the call.
#include <mpi.h>
#include <stdexcept>
#include <string>

namespace dtb::comm {

class MpiError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline void check_mpi(int code, const char* call)
{
    if (code == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw MpiError(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

} // namespace dtb::comm
