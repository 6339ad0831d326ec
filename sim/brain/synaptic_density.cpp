#include "sim/brain/synaptic_density.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dtb::brain {

InDegreeScaling scale_indegree_by_density(std::uint32_t in_degree, const std::vector<double>& density_raw,
    const std::vector<double>& grey_matter, const std::string& density_path)
{
    InDegreeScaling out;
    const std::size_t n = grey_matter.size();
    out.lower_bound = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::ceil(0.7 * in_degree - 1e-9)));
    out.upper_bound = std::max(out.lower_bound, static_cast<std::uint32_t>(std::floor(1.3 * in_degree + 1e-9)));
    if (density_raw.empty()) {
        out.indegree.assign(n, in_degree);
        out.relative_density.assign(n, 1.0);
        return out;
    }
    double weighted = 0, weight = 0;
    for (std::size_t v = 0; v < n; ++v)
        if (std::isfinite(density_raw[v])) {
            weighted += grey_matter[v] * density_raw[v];
            weight += grey_matter[v];
        }
    if (!(weight > 0) || !(weighted > 0))
        throw std::runtime_error("--density " + density_path
            + ": no positive density at the model's voxels (mean over grey matter is "
            + (weight > 0 ? std::to_string(weighted / weight) : std::string("undefined"))
            + "); allowed: a map with values > 0 on the atlas's brain");
    out.reference = weighted / weight;
    out.indegree.resize(n);
    out.relative_density.resize(n);
    for (std::size_t v = 0; v < n; ++v) {
        double relative = 1.0;
        if (std::isfinite(density_raw[v]))
            relative = std::max(0.0, density_raw[v] / out.reference);
        else
            ++out.without_density;
        out.relative_density[v] = relative;
        const double k = std::round(in_degree * relative); // halves away from zero
        if (k < out.lower_bound) {
            out.indegree[v] = out.lower_bound;
            ++out.clamped_low;
        } else if (k > out.upper_bound) {
            out.indegree[v] = out.upper_bound;
            ++out.clamped_high;
        } else {
            out.indegree[v] = static_cast<std::uint32_t>(k);
        }
    }
    return out;
}

} // namespace dtb::brain
