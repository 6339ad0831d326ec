// Single-process Communicator: every collective is the identity.
#include <cstdlib>

#include "comm/communicator.hpp"

namespace dtb::comm {

namespace {

class LocalCommunicator final : public Communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::string kind() const override { return "local"; }
    void barrier() override {}
    double max(double value) override { return value; }
    double sum(double value) override { return value; }
    std::uint64_t sum(std::uint64_t value) override { return value; }
    std::vector<std::uint64_t> all_gather(const std::vector<std::uint64_t>& values) override { return values; }
    std::vector<std::uint64_t> gather(const std::vector<std::uint64_t>& values, int) override { return values; }
    std::vector<std::uint64_t> all_to_all(const std::vector<std::vector<std::uint64_t>>& send) override
    {
        return send.empty() ? std::vector<std::uint64_t>{} : send[0];
    }
    [[noreturn]] void abort(int exit_code) override { std::_Exit(exit_code); }
};

} // namespace

std::unique_ptr<Communicator> make_local_communicator() { return std::make_unique<LocalCommunicator>(); }

} // namespace dtb::comm
