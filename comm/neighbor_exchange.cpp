#include "comm/neighbor_exchange.hpp"

#include <utility>

#include "comm/mpi_error.hpp"

namespace dtb::comm {

NeighborExchange::NeighborExchange(MPI_Comm comm, const std::vector<int>& destinations)
    : destinations_(destinations)
{
    int size = 0;
    check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
    std::vector<int> sends_to(static_cast<std::size_t>(size), 0), receives_from(static_cast<std::size_t>(size), 0);
    for (int d : destinations_)
        sends_to[static_cast<std::size_t>(d)] = 1;
    check_mpi(MPI_Alltoall(sends_to.data(), 1, MPI_INT, receives_from.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    for (int r = 0; r < size; ++r)
        if (receives_from[static_cast<std::size_t>(r)])
            sources_.push_back(r);
    check_mpi(MPI_Dist_graph_create_adjacent(comm, static_cast<int>(sources_.size()), sources_.data(),
                  MPI_UNWEIGHTED, static_cast<int>(destinations_.size()), destinations_.data(), MPI_UNWEIGHTED,
                  MPI_INFO_NULL, 0, &graph_),
        "MPI_Dist_graph_create_adjacent");
    check_mpi(MPI_Comm_set_errhandler(graph_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    send_counts_.resize(destinations_.size());
    send_displs_.resize(destinations_.size());
    recv_counts_.resize(sources_.size());
    recv_displs_.resize(sources_.size());
}

NeighborExchange::~NeighborExchange()
{
    if (graph_ != MPI_COMM_NULL) {
        int finalised = 0;
        MPI_Finalized(&finalised);
        if (!finalised)
            MPI_Comm_free(&graph_);
    }
}

NeighborExchange::NeighborExchange(NeighborExchange&& other) noexcept { *this = std::move(other); }

NeighborExchange& NeighborExchange::operator=(NeighborExchange&& other) noexcept
{
    std::swap(graph_, other.graph_);
    std::swap(destinations_, other.destinations_);
    std::swap(sources_, other.sources_);
    std::swap(send_counts_, other.send_counts_);
    std::swap(send_displs_, other.send_displs_);
    std::swap(recv_counts_, other.recv_counts_);
    std::swap(recv_displs_, other.recv_displs_);
    std::swap(bytes_sent_, other.bytes_sent_);
    std::swap(messages_sent_, other.messages_sent_);
    return *this;
}

void NeighborExchange::exchange(const std::vector<std::vector<std::uint64_t>>& send,
    std::vector<std::uint64_t>& received, std::vector<int>& received_from)
{
    send_flat_.clear();
    for (std::size_t i = 0; i < destinations_.size(); ++i) {
        send_displs_[i] = static_cast<int>(send_flat_.size());
        send_counts_[i] = static_cast<int>(send[i].size());
        send_flat_.insert(send_flat_.end(), send[i].begin(), send[i].end());
        messages_sent_ += send[i].empty() ? 0 : 1;
    }
    bytes_sent_ += send_flat_.size() * sizeof(std::uint64_t);
    check_mpi(MPI_Neighbor_alltoall(send_counts_.data(), 1, MPI_INT, recv_counts_.data(), 1, MPI_INT, graph_),
        "MPI_Neighbor_alltoall");
    int total = 0;
    for (std::size_t j = 0; j < sources_.size(); ++j) {
        recv_displs_[j] = total;
        total += recv_counts_[j];
    }
    const std::size_t offset = received.size();
    received.resize(offset + static_cast<std::size_t>(total));
    check_mpi(MPI_Neighbor_alltoallv(send_flat_.data(), send_counts_.data(), send_displs_.data(), MPI_UINT64_T,
                  received.data() + offset, recv_counts_.data(), recv_displs_.data(), MPI_UINT64_T, graph_),
        "MPI_Neighbor_alltoallv");
    received_from = recv_counts_;
}

} // namespace dtb::comm
