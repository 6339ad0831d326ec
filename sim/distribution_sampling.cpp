#include "sim/distribution_sampling.hpp"

#include <algorithm>

namespace dtb::sim {

namespace {
// Redraws beyond this many are astronomically unlikely for the validated
// parameter ranges; the bound keeps a pathological spec from looping forever.
constexpr int max_redraws = 1000;
} // namespace

double sample_distribution(const v1::Distribution& dist, CounterRng& rng)
{
    const std::string& kind = dist.kind();
    if (kind == "uniform")
        return dist.low() + (dist.high() - dist.low()) * rng.uniform();
    if (kind == "normal")
        return dist.mean() + dist.std() * rng.normal();
    if (kind == "gamma")
        return rng.gamma(dist.shape(), dist.rate());
    return dist.value();
}

double sample_weight(const v1::Distribution& weight, CounterRng& rng)
{
    double w = sample_distribution(weight, rng);
    if (weight.kind() != "normal")
        return w;
    const bool positive = weight.mean() >= 0;
    for (int i = 0; i < max_redraws && (positive ? w < 0 : w > 0); ++i)
        w = sample_distribution(weight, rng);
    return positive ? std::max(w, 0.0) : std::min(w, 0.0);
}

double sample_delay(const v1::Distribution& delay_ms, double dt_ms, CounterRng& rng)
{
    double d = sample_distribution(delay_ms, rng);
    for (int i = 0; i < max_redraws && d < dt_ms && delay_ms.kind() == "normal"; ++i)
        d = sample_distribution(delay_ms, rng);
    return std::max(d, dt_ms);
}

} // namespace dtb::sim
