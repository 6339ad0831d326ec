#pragma once
// Connection rules, generated per target neuron from the counter-based RNG:
// the sources of a target depend only on (seed, projection, target gid), so
// any rank holding the target builds the same synapses (design.md).
//   fixed_indegree      K distinct sources, uniform, no autapses unless allowed
//   fixed_total_number  `total` synapses over the projection, multapses allowed:
//                       per-target counts from a binomial split tree, sources
//                       uniform with replacement
//   pairwise_bernoulli  every (source, target) pair independently with p
#include <cstdint>
#include <vector>

namespace dtb::sim {

enum class ConnectionRule { fixed_indegree, fixed_total_number, pairwise_bernoulli };

struct ProjectionTopology {
    ConnectionRule rule = ConnectionRule::fixed_indegree;
    std::uint32_t projection_index = 0; // position in the model; part of the RNG stream
    std::uint64_t seed = 0;
    std::uint64_t source_first_gid = 0;
    std::uint64_t source_size = 0;
    std::uint64_t target_first_gid = 0;
    std::uint64_t target_size = 0;
    std::uint64_t indegree = 0; // fixed_indegree
    std::uint64_t total = 0;    // fixed_total_number
    double p = 0;               // pairwise_bernoulli
    bool allow_autapses = false;

    bool same_population() const { return source_first_gid == target_first_gid; }
};

/// Appends the population-local indices of the sources of `target_gid` to
/// `sources` (ascending for fixed_indegree and pairwise_bernoulli; in draw
/// order for fixed_total_number). `fixed_total_count` is this target's count
/// from split_total_number (ignored by the other rules).
void draw_sources(const ProjectionTopology& projection, std::uint64_t target_gid,
    std::uint64_t fixed_total_count, std::vector<std::uint64_t>& sources);

/// Number of synapses onto each target in [begin, end) (population-local
/// indices) for fixed_total_number: the total is split over the population by
/// a binary tree of binomial draws keyed by tree node, so the counts are the
/// same whichever subset of targets a rank asks for, and sum to `total` over
/// the whole population (a multinomial with equal probabilities).
std::vector<std::uint64_t> split_total_number(
    const ProjectionTopology& projection, std::uint64_t begin, std::uint64_t end);

} // namespace dtb::sim
