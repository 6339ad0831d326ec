#include "sim/brain/proportional_allocation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace dtb::brain {

std::vector<std::uint64_t> largest_remainder(std::uint64_t total, const std::vector<double>& weights)
{
    // long double: quotas of up to 2^40 neurons keep ~2^-24 of a neuron in
    // their fractional parts, so near-ties are still ordered correctly.
    long double sum = 0;
    for (double w : weights) {
        if (!std::isfinite(w) || w < 0)
            throw std::invalid_argument("largest_remainder: weights must be finite and >= 0");
        sum += w;
    }
    if (!(sum > 0))
        throw std::invalid_argument("largest_remainder: the weights sum to 0");
    const std::size_t n = weights.size();
    std::vector<std::uint64_t> counts(n);
    std::vector<long double> remainder(n);
    std::uint64_t assigned = 0;
    for (std::size_t v = 0; v < n; ++v) {
        const long double quota = static_cast<long double>(total) * weights[v] / sum;
        counts[v] = static_cast<std::uint64_t>(std::floor(quota));
        remainder[v] = quota - static_cast<long double>(counts[v]);
        assigned += counts[v];
    }
    // Rounding of the quotas can overshoot by one at most in pathological
    // cases; take back from the smallest remainders then.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
        [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t r = 0; assigned < total; r = (r + 1) % n) {
        ++counts[order[r]];
        ++assigned;
    }
    for (std::size_t r = n; assigned > total && r-- > 0;)
        if (counts[order[r]] > 0) {
            --counts[order[r]];
            --assigned;
        }
    return counts;
}

} // namespace dtb::brain
