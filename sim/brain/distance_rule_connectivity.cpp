#include "sim/brain/distance_rule_connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>

namespace dtb::brain {

namespace {

struct Candidate {
    double score; // log weight: log(count_e[u]) - lambda d
    std::uint32_t source;
};
// Heap order: std::priority_queue keeps on top the element that compares
// greatest; with "a is better than b" as the comparison that is the worst
// kept candidate (lowest score; on equal scores the higher index, so ties
// keep the lower index).
struct BetterFirst {
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        return a.score != b.score ? a.score > b.score : a.source < b.source;
    }
};
bool better(const Candidate& a, const Candidate& b) { return BetterFirst()(a, b); }

} // namespace

VoxelConnectivity exponential_distance_rule(const std::vector<double>& centre_mm,
    const std::vector<std::uint64_t>& count_e, double lambda_per_mm, const ConnectivitySettings& settings)
{
    const std::size_t num_voxels = count_e.size();
    if (centre_mm.size() != 3 * num_voxels)
        throw std::invalid_argument("exponential_distance_rule: centre_mm must hold 3 values per voxel");
    if (!(lambda_per_mm >= 0) || settings.max_sources == 0)
        throw std::invalid_argument("exponential_distance_rule: lambda >= 0 and max_sources >= 1 required");
    std::vector<double> log_count(num_voxels, -std::numeric_limits<double>::infinity());
    double max_log_count = -std::numeric_limits<double>::infinity();
    for (std::size_t u = 0; u < num_voxels; ++u)
        if (count_e[u] > 0) {
            log_count[u] = std::log(static_cast<double>(count_e[u]));
            max_log_count = std::max(max_log_count, log_count[u]);
        }
    std::vector<std::vector<ConnectionEntry>> rows(num_voxels);
    std::uint64_t truncated = 0;
    double kept_fraction_sum = 0;
    std::uint64_t non_empty_rows = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : truncated, kept_fraction_sum, non_empty_rows)
    for (std::int64_t signed_v = 0; signed_v < static_cast<std::int64_t>(num_voxels); ++signed_v) {
        const auto v = static_cast<std::size_t>(signed_v);
        const double* c = &centre_mm[3 * v];
        std::priority_queue<Candidate, std::vector<Candidate>, BetterFirst> kept;
        std::uint64_t candidates = 0;
        // The whole row's weight relative to exp(max_log_count), for the
        // share the kept entries carry (an exp per pair: the rule is cheap).
        double row_weight = 0;
        for (std::size_t u = 0; u < num_voxels; ++u) {
            if (u == v || count_e[u] == 0)
                continue;
            ++candidates;
            const double dx = centre_mm[3 * u] - c[0], dy = centre_mm[3 * u + 1] - c[1],
                         dz = centre_mm[3 * u + 2] - c[2];
            const double d2 = dx * dx + dy * dy + dz * dz;
            const Candidate candidate { log_count[u] - lambda_per_mm * std::sqrt(d2), static_cast<std::uint32_t>(u) };
            row_weight += std::exp(candidate.score - max_log_count);
            if (kept.size() < settings.max_sources)
                kept.push(candidate);
            else if (better(candidate, kept.top())) {
                kept.pop();
                kept.push(candidate);
            }
        }
        if (candidates > settings.max_sources)
            ++truncated;
        if (kept.empty())
            continue;
        std::vector<Candidate> best;
        best.reserve(kept.size());
        for (; !kept.empty(); kept.pop())
            best.push_back(kept.top());
        // exp(score - top score) keeps the largest weight at 1: no underflow
        // for far-apart voxels with a large lambda.
        double top = -std::numeric_limits<double>::infinity(), kept_weight = 0;
        for (const auto& b : best) {
            top = std::max(top, b.score);
            kept_weight += std::exp(b.score - max_log_count);
        }
        if (row_weight > 0) {
            kept_fraction_sum += kept_weight / row_weight;
            ++non_empty_rows;
        }
        auto& row = rows[v];
        row.reserve(best.size());
        for (const auto& b : best) {
            const std::size_t u = b.source;
            const double dx = centre_mm[3 * u] - c[0], dy = centre_mm[3 * u + 1] - c[1],
                         dz = centre_mm[3 * u + 2] - c[2];
            const double distance = std::sqrt(dx * dx + dy * dy + dz * dz);
            row.push_back({ b.source, std::exp(b.score - top), conduction_delay_ms(distance, settings) });
        }
    }
    VoxelConnectivity out = assemble_connectivity(rows);
    out.truncated_rows = truncated;
    out.kept_weight_fraction = non_empty_rows > 0 ? kept_fraction_sum / static_cast<double>(non_empty_rows) : 1.0;
    out.delays_from_distance = out.source.size();
    return out;
}

} // namespace dtb::brain
