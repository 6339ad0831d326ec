#pragma once
// One sparse exchange pattern: a distributed-graph communicator over the
// ranks this rank sends to and receives from, and a variable-size exchange
// of 64-bit entries along it (MPI_Neighbor_alltoall for the counts, then
// MPI_Neighbor_alltoallv). Only neighbours exchange messages.
#include <mpi.h>
#include <cstdint>
#include <vector>

namespace dtb::comm {

class NeighborExchange {
public:
    NeighborExchange() = default;
    /// Collective over `comm`: `destinations` are the ranks this rank sends
    /// to (ascending, unique, without itself). The sources are found with one
    /// all-to-all of flags at set-up.
    NeighborExchange(MPI_Comm comm, const std::vector<int>& destinations);
    ~NeighborExchange();
    NeighborExchange(NeighborExchange&& other) noexcept;
    NeighborExchange& operator=(NeighborExchange&& other) noexcept;
    NeighborExchange(const NeighborExchange&) = delete;
    NeighborExchange& operator=(const NeighborExchange&) = delete;

    const std::vector<int>& destinations() const { return destinations_; }
    const std::vector<int>& sources() const { return sources_; }

    /// send[i] goes to destinations()[i]; received entries are appended to
    /// `received` in source order, and `received_from[j]` gets the count of
    /// sources()[j]. Collective over the graph.
    void exchange(const std::vector<std::vector<std::uint64_t>>& send, std::vector<std::uint64_t>& received,
        std::vector<int>& received_from);

    std::uint64_t bytes_sent() const { return bytes_sent_; }
    std::uint64_t messages_sent() const { return messages_sent_; }

private:
    MPI_Comm graph_ = MPI_COMM_NULL;
    std::vector<int> destinations_;
    std::vector<int> sources_;
    std::vector<int> send_counts_, send_displs_, recv_counts_, recv_displs_;
    std::vector<std::uint64_t> send_flat_;
    std::uint64_t bytes_sent_ = 0;
    std::uint64_t messages_sent_ = 0;
};

} // namespace dtb::comm
