#include "sim/alias_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dtb::sim {

AliasTable::AliasTable(const std::vector<double>& weights)
{
    const std::size_t n = weights.size();
    double total = 0;
    for (double w : weights) {
        if (!(w >= 0) || !std::isfinite(w))
            throw std::invalid_argument("alias table: weights must be finite and non-negative");
        total += w;
    }
    if (n == 0 || total <= 0)
        throw std::invalid_argument("alias table: needs a positive total weight");

    // Vose's algorithm on probabilities scaled to mean 1.
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
        scaled[i] = weights[i] * static_cast<double>(n) / total;
        (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    buckets_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        buckets_[i] = Bucket{0xFFFFFFFFu, static_cast<std::uint32_t>(i)};
    while (!small.empty() && !large.empty()) {
        const std::uint32_t s = small.back();
        small.pop_back();
        const std::uint32_t l = large.back();
        buckets_[s].threshold = static_cast<std::uint32_t>(std::min(4294967295.0, std::floor(scaled[s] * 4294967296.0)));
        buckets_[s].alias = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    // Left-overs are 1 up to rounding: always keep them.
}

} // namespace dtb::sim
