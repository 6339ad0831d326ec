#pragma once
// Where the spikes of an interval go before delivery. A single process
// delivers its own spikes; a distributed run plugs in a router (comm/) that
// sends each spike to the ranks holding its synapses and returns the spikes
// this rank must deliver. sim/ knows only this interface, never MPI.
#include <cstdint>
#include <vector>

namespace dtb::sim {

/// A spike inside an interval: (step offset in the interval << 48) | gid.
using SpikeEntry = std::uint64_t;
inline constexpr std::uint64_t spike_entry_gid_bits = 48;
inline constexpr std::uint64_t spike_entry_gid_mask = (std::uint64_t(1) << spike_entry_gid_bits) - 1;

constexpr SpikeEntry make_spike_entry(std::uint64_t offset, std::uint64_t gid)
{
    return (offset << spike_entry_gid_bits) | gid;
}
constexpr std::uint64_t spike_entry_gid(SpikeEntry e) { return e & spike_entry_gid_mask; }
constexpr std::uint64_t spike_entry_offset(SpikeEntry e) { return e >> spike_entry_gid_bits; }

class SpikeRouter {
public:
    virtual ~SpikeRouter() = default;
    /// `local`: the entries emitted here this interval (any order). Fills
    /// `to_deliver` with every entry, local or remote, whose synapses live
    /// here, each exactly once.
    virtual void route(const std::vector<SpikeEntry>& local, std::vector<SpikeEntry>& to_deliver) = 0;
};

} // namespace dtb::sim
