#include "sim/synapse_value_codec.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/fixed_point.hpp"

namespace dtb::sim {

namespace {
constexpr double max_weight_code = 65535.0;
constexpr double normal_range_sds = 6.0;
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
    return codec;
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
    return codec;
}

std::uint8_t DelayCodec::encode(std::uint32_t steps) const
{
    const std::uint32_t clamped = std::clamp(steps, base_steps, max_steps);
    return static_cast<std::uint8_t>(clamped - base_steps);
}

} // namespace dtb::sim
