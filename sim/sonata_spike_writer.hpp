#pragma once
// SONATA spike file (references.md section 6):
//   root attributes  magic (uint32 0x0A7A), version (2 x uint32 = {0, 1})
//   /spikes/<population>/timestamps  float64 [n], attribute units = "ms"
//   /spikes/<population>/node_ids    uint64  [n], population-local ids
//   /spikes/<population> attribute   sorting: HDF5 enum over int8
//                                    {none=0, by_id=1, by_time=2} = by_time
// Every population gets a group, also when it has no spikes (empty datasets).
#include <string>
#include <vector>

#include "sim/population_range.hpp"

namespace dtb::sim {

/// Writes `spikes` (sorted by (step, gid)) to `path`, timestamps (step+1)*dt_ms.
/// Throws std::runtime_error naming the path and the HDF5 call on failure.
void write_sonata_spikes(const std::string& path, const std::vector<PopulationRange>& populations,
    const std::vector<SpikeEvent>& spikes, double dt_ms);

/// Reads a SONATA spike file written by write_sonata_spikes back into global
/// (step, gid) events (step = round(t/dt) - 1), sorted by (step, gid).
std::vector<SpikeEvent> read_sonata_spikes(const std::string& path,
    const std::vector<PopulationRange>& populations, double dt_ms);

} // namespace dtb::sim
