#pragma once
// From a defaulted, validated model (protobuf, host side) to the Network the
// kernels run: neuron state, heterogeneous conductances and the synapses onto
// the neurons this process simulates.
#include <string>
#include <utility>
#include <vector>

#include "dtb/sim/v1/model.pb.h"
#include "sim/brain_arrays.hpp"
#include "sim/network.hpp"

namespace dtb::sim {

/// The brain arrays a brain model names (`brain.arrays`, relative to the
/// model file `source_name`); read errors become ModelErrors at brain.arrays.
BrainArrays load_brain_arrays(const v1::Model& model, const std::string& source_name);

/// Global id ranges of a model's populations, in model order.
std::vector<PopulationRange> population_ranges(const v1::Model& model);

/// Which part of each population this process simulates, as population-local
/// [begin, end) per population. Empty = everything.
using NeuronSlices = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

/// Instantiates a defaulted and validated model: draws initial states,
/// heterogeneous conductances and the synapses onto the simulated neurons.
/// Throws ModelError (naming `source_name`) for specs the engine cannot hold.
Network build_network(const v1::Model& model, const std::string& source_name, const NeuronSlices& slices = {});

} // namespace dtb::sim
