#pragma once
// How a projection's weights and delays fit the compact synapse store: each
// synapse keeps a 16-bit weight code and an 8-bit delay code relative to the
// projection's range (sim/synapse_store.hpp). Weights are decoded straight
// into fixed point: w_fx = base_fx + code * step_fx, exact integer arithmetic
// on every backend.
//
// Codes are drawn directly from the distribution of the quantised value with
// an alias table (one 32-bit random word each): the probability of a code is
// the distribution's mass in the interval that rounds to it, renormalised
// over the representable range — the same distribution as drawing a value,
// truncating (redraw) and rounding, at a fraction of the cost.
#include <cstdint>
#include <string>

#include "dtb/sim/v1/model.pb.h"
#include "sim/alias_table.hpp"
#include "sim/counter_rng.hpp"

namespace dtb::sim {

struct WeightCodec {
    double low = 0;  // weight of code 0
    double high = 0; // weight of code 65535
    std::int64_t base_fx = 0;
    std::int64_t step_fx = 0;

    /// Range from the distribution (normal: mean +- 6 sd, cut at the sign
    /// boundary; gamma: [0, mean + 12 sd]); values outside are clamped.
    static WeightCodec for_distribution(const v1::Distribution& weight);
    std::uint16_t encode(double weight) const;
    double decode(std::uint16_t code) const;
    /// A code drawn from the weight distribution (constant: always 0).
    std::uint16_t draw(CounterRng& rng) const;
    /// The alias table's code for one random word (table-drawn kinds only).
    bool draws_from_table() const { return !table_.empty(); }
    std::uint16_t code_of_word(std::uint32_t word) const { return static_cast<std::uint16_t>(table_.sample(word)); }

private:
    v1::Distribution distribution_;
    AliasTable table_; // empty for constant and gamma (sampled directly)
};

struct DelayCodec {
    std::uint32_t base_steps = 1;     // delay of code 0
    std::uint32_t max_steps = 1;      // largest representable delay
    std::uint32_t steps_per_code = 1; // > 1 only for from_step_range spans over 255 steps

    /// Range of whole steps of the distribution (uniform: its bounds; normal:
    /// mean +- 6 sd, at least one step). Throws std::invalid_argument when the
    /// range spans more than 255 steps (the store keeps 8 bits per delay).
    static DelayCodec for_distribution(const v1::Distribution& delay_ms, double dt_ms);
    /// Delays given per synapse (brain connectivity) in [min, max] steps:
    /// exact when the span fits 256 codes, else rounded to the nearest
    /// multiple of steps_per_code = ceil(span / 255) above min.
    static DelayCodec for_step_range(std::uint32_t min_steps, std::uint32_t max_steps);
    std::uint8_t encode(std::uint32_t steps) const;
    /// A code drawn from the delay distribution (constant: always 0).
    std::uint8_t draw(CounterRng& rng) const;
    bool draws_from_table() const { return !table_.empty(); }
    std::uint8_t code_of_word(std::uint32_t word) const { return static_cast<std::uint8_t>(table_.sample(word)); }

private:
    AliasTable table_; // empty when base_steps == max_steps
};

/// The codes of `n` synapses: the same values as n successive pairs
/// weights.draw(rng), delays.draw(rng), but with the alias-table lookups of
/// all n done after their random words are drawn, so the lookups' cache
/// misses (the weight table is 512 KB) overlap instead of queueing.
void draw_synapse_codes(const WeightCodec& weights, const DelayCodec& delays, CounterRng& rng, std::size_t n,
    std::uint16_t* weight_codes, std::uint8_t* delay_codes);

/// Delay in whole steps: round(delay/dt), at least 1.
std::uint32_t delay_to_steps(double delay_ms, double dt_ms);

} // namespace dtb::sim
