#include "sim/brain/neuron_allocation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/brain/proportional_allocation.hpp"

namespace dtb::brain {

InDegreeSplit split_indegree(std::uint32_t indegree)
{
    // Shares 4:1:2 of 7; no two remainders of K*4/7, K/7, K*2/7 are equal
    // unless all are zero, so the order of ties does not matter.
    const auto counts = largest_remainder(indegree, { 4.0, 1.0, 2.0 });
    return { static_cast<std::uint32_t>(counts[0]), static_cast<std::uint32_t>(counts[1]),
        static_cast<std::uint32_t>(counts[2]) };
}

std::uint64_t minimum_neurons_for(std::uint32_t indegree)
{
    const InDegreeSplit split = split_indegree(indegree);
    const std::uint64_t need_e = std::uint64_t(split.local_e) + 1, need_i = std::uint64_t(split.local_i) + 1;
    std::uint64_t n = need_e + need_i;
    while (excitatory_share(n) < need_e || n - excitatory_share(n) < need_i)
        ++n;
    return n;
}

NeuronAllocation allocate_neurons(std::uint64_t total, const std::vector<double>& grey_matter,
    const std::vector<std::uint32_t>& indegree)
{
    const std::size_t n = grey_matter.size();
    NeuronAllocation out;
    out.kept.assign(n, true);
    std::vector<std::uint64_t> minimum(n);
    double total_grey_matter = 0;
    for (std::size_t v = 0; v < n; ++v) {
        minimum[v] = minimum_neurons_for(indegree[v]);
        total_grey_matter += grey_matter[v];
    }
    std::vector<std::uint64_t> counts;
    for (;;) {
        std::vector<double> weights(n, 0.0);
        for (std::size_t v = 0; v < n; ++v)
            weights[v] = out.kept[v] ? grey_matter[v] : 0.0;
        counts = largest_remainder(total, weights);
        // Dropping voxels only raises the others' shares, so this ends.
        bool dropped_any = false;
        for (std::size_t v = 0; v < n; ++v)
            if (out.kept[v] && counts[v] < minimum[v]) {
                out.kept[v] = false;
                ++out.num_dropped;
                out.dropped_grey_matter += grey_matter[v];
                dropped_any = true;
            }
        if (out.dropped_grey_matter > 0.5 * total_grey_matter) {
            // Neurons for which even the smallest voxel would be kept.
            double needed = 0;
            for (std::size_t v = 0; v < n; ++v)
                if (grey_matter[v] > 0)
                    needed = std::max(needed, static_cast<double>(minimum[v]) * total_grey_matter / grey_matter[v]);
            throw std::runtime_error("--neurons " + std::to_string(total) + ": too few neurons for "
                + std::to_string(n) + " voxels at this in-degree (each voxel needs at least "
                + std::to_string(*std::min_element(minimum.begin(), minimum.end()))
                + " neurons for its local sources; more than half of the grey matter would be dropped); allowed: "
                + "about " + std::to_string(static_cast<std::uint64_t>(std::ceil(needed)))
                + " neurons or more for every voxel, or larger --voxel-mm, or --regions");
        }
        if (!dropped_any)
            break;
    }
    out.count_e.assign(n, 0);
    out.count_i.assign(n, 0);
    for (std::size_t v = 0; v < n; ++v)
        if (out.kept[v]) {
            out.count_e[v] = excitatory_share(counts[v]);
            out.count_i[v] = counts[v] - out.count_e[v];
        }
    return out;
}

} // namespace dtb::brain
