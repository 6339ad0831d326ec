#include "sim/synapse_value_codec.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/distribution_sampling.hpp"
#include "sim/fixed_point.hpp"

namespace dtb::sim {

namespace {
constexpr double max_weight_code = 65535.0;
constexpr double normal_range_sds = 6.0;

// Probability mass of `dist` (normal or uniform) in [a, b].
double mass_between(const v1::Distribution& dist, double a, double b)
{
    if (b <= a)
        return 0.0;
    if (dist.kind() == "uniform")
        return std::max(0.0, std::min(b, dist.high()) - std::max(a, dist.low()));
    const double scale = dist.std() * std::sqrt(2.0);
    if (scale == 0)
        return (dist.mean() >= a && dist.mean() < b) ? 1.0 : 0.0;
    // Difference of upper tails, accurate in both tails.
    const double za = (a - dist.mean()) / scale, zb = (b - dist.mean()) / scale;
    if (za > 0)
        return 0.5 * (std::erfc(za) - std::erfc(zb));
    return 0.5 * (std::erfc(-zb) - std::erfc(-za));
}

bool tabulated(const v1::Distribution& dist) { return dist.kind() == "uniform" || dist.kind() == "normal"; }
} // namespace

WeightCodec WeightCodec::for_distribution(const v1::Distribution& weight)
{
    WeightCodec codec;
    const std::string& kind = weight.kind();
    if (kind == "uniform") {
        codec.low = weight.low();
        codec.high = weight.high();
    } else if (kind == "normal") {
        codec.low = weight.mean() - normal_range_sds * weight.std();
        codec.high = weight.mean() + normal_range_sds * weight.std();
        // Weights never change sign (the engine redraws across the boundary).
        if (weight.mean() >= 0)
            codec.low = std::max(codec.low, 0.0);
        else
            codec.high = std::min(codec.high, 0.0);
    } else if (kind == "gamma") {
        const double mean = weight.shape() / weight.rate();
        const double sd = std::sqrt(weight.shape()) / weight.rate();
        codec.low = 0;
        codec.high = mean + 12.0 * sd;
    } else {
        codec.low = codec.high = weight.value();
    }
    codec.base_fx = to_fixed_point(codec.low);
    codec.step_fx = to_fixed_point((codec.high - codec.low) / max_weight_code);
    codec.distribution_ = weight;
    if (tabulated(weight) && codec.high > codec.low) {
        const double step = (codec.high - codec.low) / max_weight_code;
        std::vector<double> mass(static_cast<std::size_t>(max_weight_code) + 1);
        for (std::size_t c = 0; c < mass.size(); ++c) {
            const double centre = codec.low + static_cast<double>(c) * step;
            const double a = c == 0 ? codec.low : centre - 0.5 * step;
            const double b = c + 1 == mass.size() ? codec.high : centre + 0.5 * step;
            mass[c] = mass_between(weight, a, b);
        }
        codec.table_ = AliasTable(mass);
    }
    return codec;
}

std::uint16_t WeightCodec::draw(CounterRng& rng) const
{
    if (!table_.empty())
        return code_of_word(rng.next_u32());
    if (distribution_.kind() == "gamma")
        return encode(sample_weight(distribution_, rng));
    return 0;
}

std::uint16_t WeightCodec::encode(double weight) const
{
    if (high <= low)
        return 0;
    const double code = std::round((weight - low) / (high - low) * max_weight_code);
    return static_cast<std::uint16_t>(std::clamp(code, 0.0, max_weight_code));
}

double WeightCodec::decode(std::uint16_t code) const
{
    return from_fixed_point(base_fx + step_fx * static_cast<std::int64_t>(code));
}

std::uint32_t delay_to_steps(double delay_ms, double dt_ms)
{
    const double steps = std::round(delay_ms / dt_ms);
    return static_cast<std::uint32_t>(std::max(1.0, steps));
}

DelayCodec DelayCodec::for_distribution(const v1::Distribution& delay_ms, double dt_ms)
{
    double low = delay_ms.value(), high = delay_ms.value();
    if (delay_ms.kind() == "uniform") {
        low = delay_ms.low();
        high = delay_ms.high();
    } else if (delay_ms.kind() == "normal") {
        low = delay_ms.mean() - normal_range_sds * delay_ms.std();
        high = delay_ms.mean() + normal_range_sds * delay_ms.std();
    }
    DelayCodec codec;
    codec.base_steps = delay_to_steps(std::max(low, dt_ms), dt_ms);
    codec.max_steps = delay_to_steps(std::max(high, dt_ms), dt_ms);
    if (codec.max_steps - codec.base_steps > 255)
        throw std::invalid_argument("delays span " + std::to_string(codec.max_steps - codec.base_steps + 1)
            + " steps of dt; at most 256 distinct steps per projection are supported "
              "(split the projection or narrow the distribution)");
    if (codec.max_steps > codec.base_steps && tabulated(delay_ms)) {
        // Step k takes the delays that round to it; delays below dt do not
        // occur (redrawn), delays beyond the range fall into the last step.
        std::vector<double> mass(codec.max_steps - codec.base_steps + 1);
        for (std::size_t i = 0; i < mass.size(); ++i) {
            const double k = static_cast<double>(codec.base_steps + i);
            const double a = std::max((k - 0.5) * dt_ms, dt_ms);
            const double b = i + 1 == mass.size() ? 1e300 : (k + 0.5) * dt_ms;
            mass[i] = mass_between(delay_ms, a, b);
        }
        codec.table_ = AliasTable(mass);
    }
    return codec;
}

std::uint8_t DelayCodec::draw(CounterRng& rng) const
{
    return table_.empty() ? 0 : code_of_word(rng.next_u32());
}

void draw_synapse_codes(const WeightCodec& weights, const DelayCodec& delays, CounterRng& rng, std::size_t n,
    std::uint16_t* weight_codes, std::uint8_t* delay_codes)
{
    if (!weights.draws_from_table()) {
        // Gamma weights draw a variable number of words: one by one.
        for (std::size_t k = 0; k < n; ++k) {
            weight_codes[k] = weights.draw(rng);
            delay_codes[k] = delays.draw(rng);
        }
        return;
    }
    // Words in the order the pairwise draws take them, then the lookups.
    constexpr std::size_t batch = 256;
    std::uint32_t weight_words[batch];
    std::uint32_t delay_words[batch];
    const bool delay_table = delays.draws_from_table();
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t count = std::min(batch, n - first);
        for (std::size_t k = 0; k < count; ++k) {
            weight_words[k] = rng.next_u32();
            if (delay_table)
                delay_words[k] = rng.next_u32();
        }
        for (std::size_t k = 0; k < count; ++k) {
            weight_codes[first + k] = weights.code_of_word(weight_words[k]);
            delay_codes[first + k] = delay_table ? delays.code_of_word(delay_words[k]) : 0;
        }
    }
}

DelayCodec DelayCodec::for_step_range(std::uint32_t min_steps, std::uint32_t max_steps)
{
    DelayCodec codec;
    codec.base_steps = std::max<std::uint32_t>(1, min_steps);
    codec.max_steps = std::max(codec.base_steps, max_steps);
    codec.steps_per_code = std::max<std::uint32_t>(1, (codec.max_steps - codec.base_steps + 254) / 255);
    // The largest delay a rounded code can stand for (the ring must hold it).
    const std::uint32_t codes = (codec.max_steps - codec.base_steps + codec.steps_per_code - 1) / codec.steps_per_code;
    codec.max_steps = codec.base_steps + codes * codec.steps_per_code;
    return codec;
}

std::uint8_t DelayCodec::encode(std::uint32_t steps) const
{
    const std::uint32_t clamped = std::clamp(steps, base_steps, max_steps);
    return static_cast<std::uint8_t>((clamped - base_steps + steps_per_code / 2) / steps_per_code);
}

} // namespace dtb::sim
