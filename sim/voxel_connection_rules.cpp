#include "sim/voxel_connection_rules.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "sim/counter_rng.hpp"

namespace dtb::sim {

VoxelSlices VoxelSlices::from_counts(const std::vector<std::uint64_t>& counts)
{
    VoxelSlices slices;
    slices.begin.assign(counts.size() + 1, 0);
    for (std::size_t v = 0; v < counts.size(); ++v)
        slices.begin[v + 1] = slices.begin[v] + counts[v];
    return slices;
}

std::size_t VoxelSlices::voxel_of(std::uint64_t local_index) const
{
    return static_cast<std::size_t>(std::upper_bound(begin.begin(), begin.end(), local_index) - begin.begin()) - 1;
}

std::vector<AliasTable> connectivity_row_tables(const BrainArrays& arrays)
{
    std::vector<AliasTable> tables(arrays.num_voxels());
    for (std::size_t v = 0; v < arrays.num_voxels(); ++v) {
        const auto b = arrays.row_ptr[v], e = arrays.row_ptr[v + 1];
        if (e > b)
            tables[v] = AliasTable(std::vector<double>(arrays.weight.begin() + static_cast<std::ptrdiff_t>(b),
                arrays.weight.begin() + static_cast<std::ptrdiff_t>(e)));
    }
    return tables;
}

std::vector<std::vector<std::uint32_t>> voxel_projection_counts(
    const std::vector<std::uint32_t>& indegree, const std::vector<double>& fractions)
{
    const double fraction_sum = std::accumulate(fractions.begin(), fractions.end(), 0.0);
    std::vector<std::vector<std::uint32_t>> counts(fractions.size(), std::vector<std::uint32_t>(indegree.size()));
    std::vector<std::pair<double, std::size_t>> remainders(fractions.size());
    for (std::size_t v = 0; v < indegree.size(); ++v) {
        const auto total = static_cast<std::uint32_t>(std::llround(indegree[v] * fraction_sum));
        std::uint32_t assigned = 0;
        for (std::size_t p = 0; p < fractions.size(); ++p) {
            const double exact = indegree[v] * fractions[p];
            counts[p][v] = static_cast<std::uint32_t>(std::floor(exact));
            assigned += counts[p][v];
            remainders[p] = {exact - std::floor(exact), p};
        }
        // Largest remainders first; ties to the earlier projection.
        std::stable_sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
        for (std::size_t i = 0; assigned < total && i < remainders.size(); ++i, ++assigned)
            ++counts[remainders[i].second][v];
    }
    return counts;
}

void draw_voxel_sources(const VoxelProjectionTopology& projection, std::uint64_t target_local,
    std::vector<std::uint64_t>& sources, std::vector<double>& delays_ms)
{
    const std::size_t v = projection.target->voxel_of(target_local);
    const std::uint32_t k = (*projection.counts)[v];
    if (k == 0)
        return;
    CounterRng rng(projection.seed, RngPurpose::connectivity, projection.target_first_gid + target_local,
        projection.projection_index);
    const std::size_t first = sources.size();
    if (!projection.long_range) {
        // Floyd's sampling over the voxel's slice, skipping the target itself.
        const std::uint64_t begin = projection.source->begin[v];
        const std::uint64_t n = projection.source->size(v);
        const bool exclude_self = projection.same_population;
        const std::uint64_t pool = exclude_self ? n - 1 : n;
        std::unordered_set<std::uint64_t> chosen;
        chosen.reserve(2 * k);
        for (std::uint64_t j = pool - k; j < pool; ++j) {
            const std::uint64_t t = rng.uniform_int(j + 1);
            chosen.insert(chosen.count(t) ? j : t);
        }
        const std::uint64_t self = target_local - begin;
        for (std::uint64_t i : chosen)
            sources.push_back(begin + (exclude_self && i >= self ? i + 1 : i));
        std::sort(sources.begin() + static_cast<std::ptrdiff_t>(first), sources.end());
        return;
    }
    const BrainArrays& arrays = *projection.arrays;
    const AliasTable& row = (*projection.row_tables)[v];
    const std::uint64_t row_begin = arrays.row_ptr[v];
    std::unordered_set<std::uint64_t> chosen;
    chosen.reserve(2 * k);
    while (chosen.size() < k) {
        const std::uint64_t entry = row_begin + row.sample(rng.next_u32());
        const std::uint32_t u = arrays.source[entry];
        const std::uint64_t s = projection.source->begin[u] + rng.uniform_int(projection.source->size(u));
        if (chosen.insert(s).second) {
            sources.push_back(s);
            delays_ms.push_back(arrays.delay_ms[entry]);
        }
    }
}

std::string check_voxel_projection(const VoxelProjectionTopology& projection)
{
    const auto& counts = *projection.counts;
    for (std::size_t v = 0; v < counts.size(); ++v) {
        if (counts[v] == 0 || projection.target->size(v) == 0)
            continue;
        if (!projection.long_range) {
            const std::uint64_t pool = projection.source->size(v) - (projection.same_population ? 1 : 0);
            if (projection.source->size(v) == 0 || counts[v] > pool)
                return "voxel " + std::to_string(v) + " needs " + std::to_string(counts[v])
                    + " distinct local sources but has " + std::to_string(projection.source->size(v))
                    + " neurons in the source population (build with more neurons per voxel or a smaller K)";
            continue;
        }
        const auto b = projection.arrays->row_ptr[v], e = projection.arrays->row_ptr[v + 1];
        std::uint64_t available = 0;
        for (auto i = b; i < e; ++i)
            if (projection.arrays->weight[i] > 0)
                available += projection.source->size(projection.arrays->source[i]);
        if (available < counts[v])
            return "voxel " + std::to_string(v) + " needs " + std::to_string(counts[v])
                + " long-range sources but its connectivity row reaches only " + std::to_string(available)
                + " neurons of the source population";
    }
    return "";
}

} // namespace dtb::sim
