#include "sim/brain/region_to_voxel_connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sim/brain/proportional_allocation.hpp"

namespace dtb::brain {

namespace {

// Golden-ratio offsets spread the voxel subsets of successive target voxels
// evenly over a source region.
constexpr double GOLDEN_FRACTION = 0.6180339887498949;

struct SourceRegion {
    std::size_t region;
    double weight;
    std::uint64_t slots = 0;
};

// Shares `slots` over the regions: one each, the rest in proportion to
// weight, none beyond a region's voxel count.
void share_slots(std::vector<SourceRegion>& regions, std::uint64_t slots,
    const std::vector<std::vector<std::uint32_t>>& voxels_of_region)
{
    for (auto& r : regions)
        r.slots = 1;
    std::uint64_t remaining = slots - regions.size();
    while (remaining > 0) {
        std::vector<std::size_t> open;
        std::vector<double> weights;
        for (std::size_t i = 0; i < regions.size(); ++i)
            if (regions[i].slots < voxels_of_region[regions[i].region].size()) {
                open.push_back(i);
                weights.push_back(regions[i].weight);
            }
        if (open.empty())
            break;
        const auto extra = largest_remainder(remaining, weights);
        std::uint64_t given = 0;
        for (std::size_t k = 0; k < open.size(); ++k) {
            SourceRegion& r = regions[open[k]];
            const std::uint64_t room = voxels_of_region[r.region].size() - r.slots;
            const std::uint64_t add = std::min<std::uint64_t>(extra[k], room);
            r.slots += add;
            given += add;
        }
        remaining -= given;
        if (given == 0)
            break;
    }
}

} // namespace

VoxelConnectivity map_region_connectivity(const std::vector<std::size_t>& region_of_voxel, std::size_t num_regions,
    const std::vector<double>& weights, const std::vector<double>& tract_lengths_mm,
    const std::vector<double>& centre_mm, const std::vector<std::uint64_t>& count_e,
    const ConnectivitySettings& settings)
{
    const std::size_t num_voxels = region_of_voxel.size();
    if (weights.size() != num_regions * num_regions || count_e.size() != num_voxels
        || centre_mm.size() != 3 * num_voxels
        || (!tract_lengths_mm.empty() && tract_lengths_mm.size() != weights.size()) || settings.max_sources == 0)
        throw std::invalid_argument("map_region_connectivity: inconsistent sizes");
    std::vector<std::vector<std::uint32_t>> voxels_of_region(num_regions);
    std::vector<double> excitatory_of_region(num_regions, 0.0);
    for (std::size_t v = 0; v < num_voxels; ++v) {
        if (region_of_voxel[v] >= num_regions)
            throw std::invalid_argument("map_region_connectivity: region index out of range");
        voxels_of_region[region_of_voxel[v]].push_back(static_cast<std::uint32_t>(v));
        excitatory_of_region[region_of_voxel[v]] += static_cast<double>(count_e[v]);
    }
    std::vector<std::vector<ConnectionEntry>> rows(num_voxels);
    std::uint64_t truncated = 0, from_distance = 0, non_empty_rows = 0;
    double kept_fraction_sum = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : truncated, from_distance, non_empty_rows, kept_fraction_sum)
    for (std::int64_t signed_v = 0; signed_v < static_cast<std::int64_t>(num_voxels); ++signed_v) {
        const auto v = static_cast<std::size_t>(signed_v);
        const std::size_t r = region_of_voxel[v];
        std::vector<SourceRegion> sources;
        std::uint64_t full_row = 0;
        for (std::size_t s = 0; s < num_regions; ++s) {
            const double w = weights[r * num_regions + s];
            if (s == r || !(w > 0) || voxels_of_region[s].empty() || !(excitatory_of_region[s] > 0))
                continue;
            sources.push_back({ s, w });
            full_row += voxels_of_region[s].size();
        }
        if (sources.empty())
            continue;
        double row_weight = 0;
        for (const auto& s : sources)
            row_weight += s.weight;
        const bool truncate = full_row > settings.max_sources;
        if (truncate) {
            ++truncated;
            if (sources.size() > settings.max_sources) {
                std::stable_sort(sources.begin(), sources.end(),
                    [](const SourceRegion& a, const SourceRegion& b) { return a.weight > b.weight; });
                sources.resize(settings.max_sources);
            }
            share_slots(sources, settings.max_sources, voxels_of_region);
        } else {
            for (auto& s : sources)
                s.slots = voxels_of_region[s.region].size();
        }
        double kept_weight = 0;
        for (const auto& s : sources)
            kept_weight += s.weight;
        kept_fraction_sum += kept_weight / row_weight;
        ++non_empty_rows;
        auto& row = rows[v];
        const double offset = std::fmod(static_cast<double>(v) * GOLDEN_FRACTION, 1.0);
        std::vector<std::uint32_t> chosen;
        for (const SourceRegion& s : sources) {
            const auto& voxels = voxels_of_region[s.region];
            const std::size_t n = voxels.size();
            chosen.clear();
            if (s.slots >= n) {
                chosen = voxels;
            } else {
                for (std::uint64_t j = 0; j < s.slots; ++j) {
                    const auto index = static_cast<std::size_t>(
                        std::floor((static_cast<double>(j) + offset) * static_cast<double>(n) / static_cast<double>(s.slots)));
                    chosen.push_back(voxels[std::min(index, n - 1)]);
                }
            }
            double excitatory = 0;
            for (std::uint32_t u : chosen)
                excitatory += static_cast<double>(count_e[u]);
            const double tract = tract_lengths_mm.empty() ? 0.0 : tract_lengths_mm[r * num_regions + s.region];
            for (std::uint32_t u : chosen) {
                double length = tract;
                if (!(length > 0)) {
                    const double dx = centre_mm[3 * u] - centre_mm[3 * v], dy = centre_mm[3 * u + 1] - centre_mm[3 * v + 1],
                                 dz = centre_mm[3 * u + 2] - centre_mm[3 * v + 2];
                    length = std::sqrt(dx * dx + dy * dy + dz * dz);
                    ++from_distance;
                }
                row.push_back({ u, s.weight * static_cast<double>(count_e[u]) / excitatory,
                    conduction_delay_ms(length, settings) });
            }
        }
    }
    VoxelConnectivity out = assemble_connectivity(rows);
    out.truncated_rows = truncated;
    out.kept_weight_fraction = non_empty_rows > 0 ? kept_fraction_sum / static_cast<double>(non_empty_rows) : 1.0;
    out.delays_from_distance = from_distance;
    return out;
}

} // namespace dtb::brain
