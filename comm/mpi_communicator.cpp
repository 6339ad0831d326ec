#include "comm/mpi_communicator.hpp"

#include <numeric>

#include "comm/mpi_error.hpp"

namespace dtb::comm {

MpiSession::MpiSession(int& argc, char**& argv)
{
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised)
        check_mpi(MPI_Init(&argc, &argv), "MPI_Init");
    check_mpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

MpiSession::~MpiSession()
{
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised)
        MPI_Finalize();
}

namespace {

class MpiCommunicator final : public Communicator {
public:
    explicit MpiCommunicator(MPI_Comm comm)
        : comm_(comm)
    {
        check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::string kind() const override { return "MPI"; }

    void barrier() override { check_mpi(MPI_Barrier(comm_), "MPI_Barrier"); }

    double max(double value) override
    {
        double out = 0;
        check_mpi(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce(max)");
        return out;
    }
    double sum(double value) override
    {
        double out = 0;
        check_mpi(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_SUM, comm_), "MPI_Allreduce(sum)");
        return out;
    }
    std::uint64_t sum(std::uint64_t value) override
    {
        std::uint64_t out = 0;
        check_mpi(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce(sum)");
        return out;
    }

    std::vector<std::uint64_t> all_gather(const std::vector<std::uint64_t>& values) override
    {
        const auto [counts, displs, total] = exchange_counts(values.size());
        std::vector<std::uint64_t> out(total);
        check_mpi(MPI_Allgatherv(values.data(), static_cast<int>(values.size()), MPI_UINT64_T, out.data(),
                      counts.data(), displs.data(), MPI_UINT64_T, comm_),
            "MPI_Allgatherv");
        return out;
    }

    std::vector<std::uint64_t> gather(const std::vector<std::uint64_t>& values, int root) override
    {
        const int count = static_cast<int>(values.size());
        std::vector<int> counts(rank_ == root ? static_cast<std::size_t>(size_) : 0);
        check_mpi(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm_), "MPI_Gather");
        std::vector<int> displs(counts.size(), 0);
        for (std::size_t r = 1; r < counts.size(); ++r)
            displs[r] = displs[r - 1] + counts[r - 1];
        std::vector<std::uint64_t> out(
            counts.empty() ? 0 : static_cast<std::size_t>(displs.back()) + static_cast<std::size_t>(counts.back()));
        check_mpi(MPI_Gatherv(values.data(), count, MPI_UINT64_T, out.data(), counts.data(), displs.data(),
                      MPI_UINT64_T, root, comm_),
            "MPI_Gatherv");
        return out;
    }

    std::vector<std::uint64_t> all_to_all(const std::vector<std::vector<std::uint64_t>>& send) override
    {
        std::vector<int> send_counts(static_cast<std::size_t>(size_)), send_displs(static_cast<std::size_t>(size_));
        std::vector<std::uint64_t> flat;
        for (int r = 0; r < size_; ++r) {
            const auto& part = send[static_cast<std::size_t>(r)];
            send_displs[static_cast<std::size_t>(r)] = static_cast<int>(flat.size());
            send_counts[static_cast<std::size_t>(r)] = static_cast<int>(part.size());
            flat.insert(flat.end(), part.begin(), part.end());
        }
        std::vector<int> recv_counts(static_cast<std::size_t>(size_)), recv_displs(static_cast<std::size_t>(size_));
        check_mpi(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
        int total = 0;
        for (int r = 0; r < size_; ++r) {
            recv_displs[static_cast<std::size_t>(r)] = total;
            total += recv_counts[static_cast<std::size_t>(r)];
        }
        std::vector<std::uint64_t> out(static_cast<std::size_t>(total));
        check_mpi(MPI_Alltoallv(flat.data(), send_counts.data(), send_displs.data(), MPI_UINT64_T, out.data(),
                      recv_counts.data(), recv_displs.data(), MPI_UINT64_T, comm_),
            "MPI_Alltoallv");
        return out;
    }

    [[noreturn]] void abort(int exit_code) override
    {
        MPI_Abort(comm_, exit_code);
        std::_Exit(exit_code);
    }

private:
    struct Counts {
        std::vector<int> counts;
        std::vector<int> displs;
        std::size_t total;
    };
    Counts exchange_counts(std::size_t local)
    {
        const int count = static_cast<int>(local);
        Counts c{std::vector<int>(static_cast<std::size_t>(size_)), std::vector<int>(static_cast<std::size_t>(size_)), 0};
        check_mpi(MPI_Allgather(&count, 1, MPI_INT, c.counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
        for (int r = 0; r < size_; ++r) {
            c.displs[static_cast<std::size_t>(r)] = static_cast<int>(c.total);
            c.total += static_cast<std::size_t>(c.counts[static_cast<std::size_t>(r)]);
        }
        return c;
    }

    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

} // namespace

std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm) { return std::make_unique<MpiCommunicator>(comm); }

} // namespace dtb::comm
