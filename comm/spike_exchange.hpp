#pragma once
// MPI spike exchange, a sim::SpikeRouter. At set-up every rank tells the
// owners of the source neurons it has synapses from that it needs them; from
// then on each spike is sent once per interval to each rank that needs it,
// only along a sparse neighbour graph.
//
// Modes (identical spikes delivered, so identical results):
//   direct     one message per (source rank, target rank) pair with traffic;
//   two_level  node-aware (DTB): one merged message per remote node, to a
//              gateway rank there (the one with the sender's local index),
//              which forwards each spike inside its node to the ranks that
//              need it. Same-node targets are served directly.
#include <mpi.h>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "comm/neighbor_exchange.hpp"
#include "comm/partition_plan.hpp"
#include "sim/spike_router.hpp"

namespace dtb::comm {

enum class ExchangeMode { direct, two_level };

struct ExchangeStatistics {
    std::uint64_t intervals = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t messages_sent = 0;
    double mpi_s = 0; // time inside MPI calls of the exchange (waiting included)
};

class SpikeExchange final : public sim::SpikeRouter {
public:
    /// Collective over `comm`. `needed_gids`: ascending global ids of the
    /// sources with synapses on this rank. `ranks_per_node` > 0 groups ranks
    /// into nodes by rank / ranks_per_node (to exercise two_level on one
    /// machine); 0 uses the real nodes (MPI_COMM_TYPE_SHARED).
    SpikeExchange(MPI_Comm comm, const PartitionPlan& plan, const std::vector<std::uint64_t>& needed_gids,
        ExchangeMode mode, int ranks_per_node = 0);

    void route(const std::vector<sim::SpikeEntry>& local, std::vector<sim::SpikeEntry>& to_deliver) override;

    ExchangeStatistics statistics() const;

private:
    void route_direct(const std::vector<sim::SpikeEntry>& local, std::vector<sim::SpikeEntry>& to_deliver);
    void route_two_level(const std::vector<sim::SpikeEntry>& local, std::vector<sim::SpikeEntry>& to_deliver);

    std::uint64_t local_index(std::uint64_t gid) const;

    ExchangeMode mode_;
    int rank_ = 0;
    struct LocalRange {
        std::uint64_t population_first_gid, begin, end;
    };
    std::vector<LocalRange> local_ranges_; // this rank's slice of each population
    // Per local neuron: destination indices of the first exchange (CSR) and
    // whether this rank itself needs the neuron's spikes.
    std::vector<std::uint32_t> destination_ptr_;
    std::vector<std::uint32_t> destination_index_;
    std::vector<char> needed_here_;
    NeighborExchange first_;
    // two_level: which sources of the first exchange are on this node (their
    // entries are final), and the forwarding table of this gateway.
    std::vector<char> source_is_local_node_;
    std::unordered_map<std::uint64_t, std::vector<int>> forward_to_; // gid -> second-exchange dest index, -1 = here
    NeighborExchange second_;
    std::vector<std::vector<std::uint64_t>> send_;
    std::vector<std::vector<std::uint64_t>> send_second_;
    std::vector<std::uint64_t> received_;
    std::vector<int> received_from_;
    ExchangeStatistics stats_;
};

} // namespace dtb::comm
