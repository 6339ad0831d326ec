#pragma once
// Where a population lives in the global neuron numbering: neurons of a
// population have consecutive global ids [first_gid, first_gid + size).
#include <cstdint>
#include <string>

namespace dtb::sim {

struct PopulationRange {
    std::string name;
    std::uint64_t first_gid = 0;
    std::uint64_t size = 0;

    bool contains(std::uint64_t gid) const { return gid >= first_gid && gid < first_gid + size; }
};

/// One spike: neuron `gid` crossed threshold during step `step`, i.e. in
/// [step*dt, (step+1)*dt); its time stamp is (step+1)*dt (NEST's convention).
struct SpikeEvent {
    std::uint64_t step = 0;
    std::uint64_t gid = 0;
    friend bool operator<(const SpikeEvent& a, const SpikeEvent& b)
    {
        return a.step != b.step ? a.step < b.step : a.gid < b.gid;
    }
    friend bool operator==(const SpikeEvent& a, const SpikeEvent& b)
    {
        return a.step == b.step && a.gid == b.gid;
    }
};

} // namespace dtb::sim
