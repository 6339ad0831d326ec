#pragma once
// The small interface through which everything above sim/ talks to other
// ranks (after Arbor's distributed_context): a single-process implementation
// for laptops and unit tests, and an MPI one. Collective calls must be made
// by every rank in the same order.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dtb::comm {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// "MPI" or "local".
    virtual std::string kind() const = 0;

    virtual void barrier() = 0;
    virtual double max(double value) = 0;
    virtual double sum(double value) = 0;
    virtual std::uint64_t sum(std::uint64_t value) = 0;
    /// Every rank's `values`, concatenated in rank order, on every rank.
    virtual std::vector<std::uint64_t> all_gather(const std::vector<std::uint64_t>& values) = 0;
    /// Every rank's `values`, concatenated in rank order, on `root` (empty elsewhere).
    virtual std::vector<std::uint64_t> gather(const std::vector<std::uint64_t>& values, int root) = 0;
    /// send[r] goes to rank r; returns what each rank sent here, concatenated
    /// in rank order.
    virtual std::vector<std::uint64_t> all_to_all(const std::vector<std::vector<std::uint64_t>>& send) = 0;
    /// Ends the whole job now with `exit_code` (MPI_Abort); never returns.
    [[noreturn]] virtual void abort(int exit_code) = 0;
};

/// The communicator of this process: MPI_COMM_WORLD when MPI is initialised
/// (call after MpiSession), else a single-process one.
std::unique_ptr<Communicator> make_local_communicator();

} // namespace dtb::comm
