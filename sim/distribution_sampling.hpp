#pragma once
// Draws from a model file's Distribution with a counter-based stream.
#include "dtb/sim/v1/model.pb.h"
#include "sim/counter_rng.hpp"

namespace dtb::sim {

/// One value of `dist` (constant, uniform [low, high), normal, gamma).
double sample_distribution(const v1::Distribution& dist, CounterRng& rng);

/// A synaptic weight: like sample_distribution, but a normal weight never
/// crosses zero (values of the wrong sign are redrawn: a truncated normal).
double sample_weight(const v1::Distribution& weight, CounterRng& rng);

/// A delay in ms, never below dt (normal delays below dt are redrawn).
double sample_delay(const v1::Distribution& delay_ms, double dt_ms, CounterRng& rng);

} // namespace dtb::sim
