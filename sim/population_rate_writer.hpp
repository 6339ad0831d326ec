#pragma once
// Binned population firing rates in HDF5 (rates.h5):
//   /rates/<population>  float64 [bins], Hz (spikes per neuron per second)
//   /rates attributes    bin_ms (float64), t_start_ms (float64, = 0)
#include <string>
#include <vector>

#include "sim/population_range.hpp"

namespace dtb::sim {

/// rates_hz[p][b] is the rate of populations[p] in bin b.
void write_population_rates(const std::string& path, const std::vector<PopulationRange>& populations,
    double bin_ms, const std::vector<std::vector<double>>& rates_hz);

} // namespace dtb::sim
