#pragma once
// Walker/Vose alias table: draws an index of a discrete distribution from one
// 32-bit random number in O(1). The builder uses it for the 16-bit weight
// codes and 8-bit delay codes of a projection, which makes each synapse's
// values cost two random words instead of a normal draw each.
#include <cstdint>
#include <vector>

namespace dtb::sim {

class AliasTable {
public:
    AliasTable() = default;
    /// `weights` (non-negative, not all zero) need not be normalised.
    explicit AliasTable(const std::vector<double>& weights);

    bool empty() const { return threshold_.empty(); }
    std::size_t size() const { return threshold_.size(); }

    /// Index drawn with probability weights[i] / sum(weights).
    std::uint32_t sample(std::uint32_t random_bits) const
    {
        // Multiply-shift: the high word picks the bucket, the low word is a
        // uniform fraction within it (resolution 2^-32 of the total mass).
        const std::uint64_t scaled = static_cast<std::uint64_t>(random_bits) * threshold_.size();
        const auto bucket = static_cast<std::uint32_t>(scaled >> 32);
        const auto fraction = static_cast<std::uint32_t>(scaled);
        return fraction < threshold_[bucket] ? bucket : alias_[bucket];
    }

private:
    std::vector<std::uint32_t> threshold_; // P(keep bucket) * 2^32, saturated
    std::vector<std::uint32_t> alias_;
};

} // namespace dtb::sim
