#include "comm/spike_exchange.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "comm/mpi_error.hpp"

namespace dtb::comm {

namespace {

// Dense all-to-all of variable lists, used once at set-up.
std::vector<std::vector<std::uint64_t>> all_to_all_lists(MPI_Comm comm, const std::vector<std::vector<std::uint64_t>>& send)
{
    const int size = static_cast<int>(send.size());
    std::vector<int> send_counts(send.size()), send_displs(send.size()), recv_counts(send.size()), recv_displs(send.size());
    std::vector<std::uint64_t> flat;
    for (int r = 0; r < size; ++r) {
        send_displs[static_cast<std::size_t>(r)] = static_cast<int>(flat.size());
        send_counts[static_cast<std::size_t>(r)] = static_cast<int>(send[static_cast<std::size_t>(r)].size());
        flat.insert(flat.end(), send[static_cast<std::size_t>(r)].begin(), send[static_cast<std::size_t>(r)].end());
    }
    check_mpi(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    int total = 0;
    for (int r = 0; r < size; ++r) {
        recv_displs[static_cast<std::size_t>(r)] = total;
        total += recv_counts[static_cast<std::size_t>(r)];
    }
    std::vector<std::uint64_t> received(static_cast<std::size_t>(total));
    check_mpi(MPI_Alltoallv(flat.data(), send_counts.data(), send_displs.data(), MPI_UINT64_T, received.data(),
                  recv_counts.data(), recv_displs.data(), MPI_UINT64_T, comm),
        "MPI_Alltoallv");
    std::vector<std::vector<std::uint64_t>> out(send.size());
    for (int r = 0; r < size; ++r) {
        const auto begin = received.begin() + recv_displs[static_cast<std::size_t>(r)];
        out[static_cast<std::size_t>(r)].assign(begin, begin + recv_counts[static_cast<std::size_t>(r)]);
    }
    return out;
}

// Node number of every rank: rank / ranks_per_node, or the shared-memory
// node (numbered by its lowest rank) when ranks_per_node is 0.
std::vector<int> node_of_ranks(MPI_Comm comm, int ranks_per_node)
{
    int rank = 0, size = 0;
    check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
    std::vector<int> node(static_cast<std::size_t>(size));
    if (ranks_per_node > 0) {
        for (int r = 0; r < size; ++r)
            node[static_cast<std::size_t>(r)] = r / ranks_per_node;
        return node;
    }
    MPI_Comm shared;
    check_mpi(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shared), "MPI_Comm_split_type");
    int leader = rank;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &leader, 1, MPI_INT, MPI_MIN, shared), "MPI_Allreduce(min)");
    MPI_Comm_free(&shared);
    check_mpi(MPI_Allgather(&leader, 1, MPI_INT, node.data(), 1, MPI_INT, comm), "MPI_Allgather");
    return node;
}

class MpiTimer {
public:
    explicit MpiTimer(double& total)
        : total_(total)
        , start_(std::chrono::steady_clock::now())
    {
    }
    ~MpiTimer() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
    double& total_;
    std::chrono::steady_clock::time_point start_;
};

std::size_t index_in(const std::vector<int>& sorted, int value)
{
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
}

} // namespace

SpikeExchange::SpikeExchange(MPI_Comm comm, const PartitionPlan& plan, const std::vector<std::uint64_t>& needed_gids,
    ExchangeMode mode, int ranks_per_node)
    : mode_(mode)
{
    check_mpi(MPI_Comm_rank(comm, &rank_), "MPI_Comm_rank");
    const int size = plan.ranks;
    const std::uint64_t num_local = plan.num_local(rank_);
    // Local index -> gid, in the network's local numbering.
    std::vector<std::uint64_t> gid_of(num_local);
    {
        std::uint64_t i = 0;
        const auto slices = plan.slices_for(rank_);
        for (std::size_t p = 0; p < slices.size(); ++p)
            for (std::uint64_t k = slices[p].first; k < slices[p].second; ++k)
                gid_of[i++] = plan.population_first_gid[p] + k;
    }

    // Tell each owner which of its neurons this rank needs; learn who needs ours.
    std::vector<std::vector<std::uint64_t>> requests(static_cast<std::size_t>(size));
    for (std::uint64_t gid : needed_gids)
        requests[static_cast<std::size_t>(plan.owner_of(gid))].push_back(gid);
    const auto requested = all_to_all_lists(comm, requests);
    // subscribers[local neuron] = ranks needing it, ascending.
    std::vector<std::vector<int>> subscribers(num_local);
    for (int q = 0; q < size; ++q)
        for (std::uint64_t gid : requested[static_cast<std::size_t>(q)])
            subscribers[plan.local_index(rank_, gid)].push_back(q);

    for (std::size_t p = 0; p < plan.cuts.size(); ++p)
        local_ranges_.push_back({plan.population_first_gid[p], plan.cuts[p][static_cast<std::size_t>(rank_)],
            plan.cuts[p][static_cast<std::size_t>(rank_) + 1]});
    needed_here_.assign(num_local, 0);
    destination_ptr_.assign(num_local + 1, 0);
    if (mode_ == ExchangeMode::direct) {
        std::set<int> destinations;
        for (const auto& subs : subscribers)
            for (int q : subs)
                if (q != rank_)
                    destinations.insert(q);
        const std::vector<int> dest(destinations.begin(), destinations.end());
        for (std::uint64_t i = 0; i < num_local; ++i) {
            for (int q : subscribers[i]) {
                if (q == rank_)
                    needed_here_[i] = 1;
                else
                    destination_index_.push_back(static_cast<std::uint32_t>(index_in(dest, q)));
            }
            destination_ptr_[i + 1] = static_cast<std::uint32_t>(destination_index_.size());
        }
        first_ = NeighborExchange(comm, dest);
        send_.resize(dest.size());
        return;
    }

    // two_level
    const std::vector<int> node = node_of_ranks(comm, ranks_per_node);
    std::map<int, std::vector<int>> members; // node -> ranks, ascending
    for (int r = 0; r < size; ++r)
        members[node[static_cast<std::size_t>(r)]].push_back(r);
    const int my_node = node[static_cast<std::size_t>(rank_)];
    const auto& my_members = members[my_node];
    const int my_local_index = static_cast<int>(index_in(my_members, rank_));
    auto gateway_of = [&](int n) {
        const auto& m = members[n];
        return m[static_cast<std::size_t>(my_local_index) % m.size()];
    };

    // First exchange: same-node subscribers directly, remote nodes via their gateway.
    std::set<int> destinations;
    std::vector<std::vector<std::uint64_t>> gateway_setup(static_cast<std::size_t>(size)); // (gid, subscriber) pairs
    for (std::uint64_t i = 0; i < num_local; ++i)
        for (int q : subscribers[i]) {
            const int n = node[static_cast<std::size_t>(q)];
            if (q == rank_)
                continue;
            if (n == my_node) {
                destinations.insert(q);
            } else {
                const int g = gateway_of(n);
                destinations.insert(g);
                gateway_setup[static_cast<std::size_t>(g)].push_back(gid_of[i]);
                gateway_setup[static_cast<std::size_t>(g)].push_back(static_cast<std::uint64_t>(q));
            }
        }
    const std::vector<int> dest(destinations.begin(), destinations.end());
    for (std::uint64_t i = 0; i < num_local; ++i) {
        std::set<std::uint32_t> mine;
        for (int q : subscribers[i]) {
            const int n = node[static_cast<std::size_t>(q)];
            if (q == rank_)
                needed_here_[i] = 1;
            else
                mine.insert(static_cast<std::uint32_t>(index_in(dest, n == my_node ? q : gateway_of(n))));
        }
        destination_index_.insert(destination_index_.end(), mine.begin(), mine.end());
        destination_ptr_[i + 1] = static_cast<std::uint32_t>(destination_index_.size());
    }
    first_ = NeighborExchange(comm, dest);
    send_.resize(dest.size());
    source_is_local_node_.resize(first_.sources().size());
    for (std::size_t j = 0; j < first_.sources().size(); ++j)
        source_is_local_node_[j] = node[static_cast<std::size_t>(first_.sources()[j])] == my_node;

    // Gateway forwarding table: for each remote gid, the ranks of this node needing it.
    const auto forwarded = all_to_all_lists(comm, gateway_setup);
    std::set<int> second_destinations;
    std::unordered_map<std::uint64_t, std::vector<int>> forward_ranks;
    for (const auto& pairs : forwarded)
        for (std::size_t k = 0; k + 1 < pairs.size(); k += 2) {
            const int q = static_cast<int>(pairs[k + 1]);
            forward_ranks[pairs[k]].push_back(q);
            if (q != rank_)
                second_destinations.insert(q);
        }
    const std::vector<int> dest2(second_destinations.begin(), second_destinations.end());
    for (auto& [gid, ranks] : forward_ranks) {
        auto& targets = forward_to_[gid];
        for (int q : ranks)
            targets.push_back(q == rank_ ? -1 : static_cast<int>(index_in(dest2, q)));
    }
    second_ = NeighborExchange(comm, dest2);
    send_second_.resize(dest2.size());
}

std::uint64_t SpikeExchange::local_index(std::uint64_t gid) const
{
    // Slices are few (one per population): a linear scan over them.
    std::uint64_t offset = 0;
    for (const auto& [first, begin, end] : local_ranges_) {
        if (gid >= first + begin && gid < first + end)
            return offset + (gid - first - begin);
        offset += end - begin;
    }
    return offset;
}

void SpikeExchange::route(const std::vector<sim::SpikeEntry>& local, std::vector<sim::SpikeEntry>& to_deliver)
{
    to_deliver.clear();
    ++stats_.intervals;
    for (auto& s : send_)
        s.clear();
    for (sim::SpikeEntry e : local) {
        const std::uint64_t i = local_index(sim::spike_entry_gid(e));
        if (needed_here_[i])
            to_deliver.push_back(e);
        for (std::uint32_t k = destination_ptr_[i]; k < destination_ptr_[i + 1]; ++k)
            send_[destination_index_[k]].push_back(e);
    }
    if (mode_ == ExchangeMode::direct) {
        MpiTimer timer(stats_.mpi_s);
        first_.exchange(send_, to_deliver, received_from_);
        return;
    }
    received_.clear();
    {
        MpiTimer timer(stats_.mpi_s);
        first_.exchange(send_, received_, received_from_);
    }
    for (auto& s : send_second_)
        s.clear();
    std::size_t at = 0;
    for (std::size_t j = 0; j < received_from_.size(); ++j) {
        const auto count = static_cast<std::size_t>(received_from_[j]);
        for (std::size_t k = at; k < at + count; ++k) {
            const sim::SpikeEntry e = received_[k];
            if (source_is_local_node_[j]) {
                to_deliver.push_back(e);
                continue;
            }
            for (int d : forward_to_.at(sim::spike_entry_gid(e))) {
                if (d < 0)
                    to_deliver.push_back(e);
                else
                    send_second_[static_cast<std::size_t>(d)].push_back(e);
            }
        }
        at += count;
    }
    MpiTimer timer(stats_.mpi_s);
    second_.exchange(send_second_, to_deliver, received_from_);
}

ExchangeStatistics SpikeExchange::statistics() const
{
    ExchangeStatistics s = stats_;
    s.bytes_sent = first_.bytes_sent() + second_.bytes_sent();
    s.messages_sent = first_.messages_sent() + second_.messages_sent();
    return s;
}

} // namespace dtb::comm
