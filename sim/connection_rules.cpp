#include "sim/connection_rules.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "sim/counter_rng.hpp"

namespace dtb::sim {

namespace {

CounterRng connectivity_stream(const ProjectionTopology& projection, std::uint64_t target_gid)
{
    return CounterRng(projection.seed, RngPurpose::connectivity, target_gid, projection.projection_index);
}

// Floyd's algorithm: k distinct values of [0, n), uniformly.
void sample_without_replacement(CounterRng& rng, std::uint64_t n, std::uint64_t k, std::vector<std::uint64_t>& out)
{
    const std::size_t first = out.size();
    if (k * 4 >= n) {
        // Dense case: selection sampling (Knuth's algorithm S), already sorted.
        std::uint64_t needed = k;
        for (std::uint64_t i = 0; i < n && needed > 0; ++i)
            if (rng.uniform_int(n - i) < needed) {
                out.push_back(i);
                --needed;
            }
        return;
    }
    std::unordered_set<std::uint64_t> chosen;
    chosen.reserve(k * 2);
    for (std::uint64_t j = n - k; j < n; ++j) {
        const std::uint64_t t = rng.uniform_int(j + 1);
        const std::uint64_t pick = chosen.insert(t).second ? t : j;
        if (pick == j)
            chosen.insert(j);
        out.push_back(pick);
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

} // namespace

void draw_sources(const ProjectionTopology& projection, std::uint64_t target_gid,
    std::uint64_t fixed_total_count, std::vector<std::uint64_t>& sources)
{
    CounterRng rng = connectivity_stream(projection, target_gid);
    const bool exclude_self = projection.same_population() && !projection.allow_autapses;
    const std::uint64_t self = target_gid - projection.target_first_gid;
    const std::uint64_t n = projection.source_size;

    switch (projection.rule) {
    case ConnectionRule::fixed_indegree: {
        // Draw from the sources other than the target itself, then skip over it.
        const std::size_t first = sources.size();
        sample_without_replacement(rng, exclude_self ? n - 1 : n, projection.indegree, sources);
        if (exclude_self)
            for (std::size_t i = first; i < sources.size(); ++i)
                if (sources[i] >= self)
                    ++sources[i];
        break;
    }
    case ConnectionRule::fixed_total_number:
        for (std::uint64_t i = 0; i < fixed_total_count; ++i) {
            std::uint64_t source = rng.uniform_int(n);
            while (exclude_self && source == self && n > 1)
                source = rng.uniform_int(n);
            sources.push_back(source);
        }
        break;
    case ConnectionRule::pairwise_bernoulli: {
        const double p = projection.p;
        if (p <= 0)
            break;
        if (p >= 1) {
            for (std::uint64_t i = 0; i < n; ++i)
                if (!(exclude_self && i == self))
                    sources.push_back(i);
            break;
        }
        // Geometric skipping: the gap to the next connected source is
        // Geometric(p), so each pair is still an independent Bernoulli(p).
        const double log_q = std::log1p(-p);
        std::uint64_t i = 0;
        for (;;) {
            const double gap = std::floor(std::log(rng.uniform_open()) / log_q);
            if (gap >= static_cast<double>(n - i))
                break;
            i += static_cast<std::uint64_t>(gap);
            if (!(exclude_self && i == self))
                sources.push_back(i);
            ++i;
            if (i >= n)
                break;
        }
        break;
    }
    }
}

namespace {

void split_node(const ProjectionTopology& projection, std::uint64_t node, std::uint64_t lo, std::uint64_t hi,
    std::uint64_t count, std::uint64_t begin, std::uint64_t end, std::vector<std::uint64_t>& counts)
{
    if (hi <= begin || lo >= end)
        return;
    if (hi - lo == 1) {
        counts[lo - begin] = count;
        return;
    }
    const std::uint64_t mid = lo + (hi - lo) / 2;
    std::uint64_t left = 0;
    if (count > 0) {
        CounterRng rng(projection.seed, RngPurpose::total_number_split, node, projection.projection_index);
        left = rng.binomial(count, static_cast<double>(mid - lo) / static_cast<double>(hi - lo));
    }
    split_node(projection, 2 * node, lo, mid, left, begin, end, counts);
    split_node(projection, 2 * node + 1, mid, hi, count - left, begin, end, counts);
}

} // namespace

std::vector<std::uint64_t> split_total_number(
    const ProjectionTopology& projection, std::uint64_t begin, std::uint64_t end)
{
    std::vector<std::uint64_t> counts(end - begin, 0);
    if (end > begin && projection.target_size > 0)
        split_node(projection, 1, 0, projection.target_size, projection.total, begin, end, counts);
    return counts;
}

} // namespace dtb::sim
