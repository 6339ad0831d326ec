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

    bool empty() const { return buckets_.empty(); }
    std::size_t size() const { return buckets_.size(); }

    /// Index drawn with probability weights[i] / sum(weights).
    std::uint32_t sample(std::uint32_t random_bits) const
    {
        // Multiply-shift: the high word picks the bucket, the low word is a
        // uniform fraction within it (resolution 2^-32 of the total mass).
        const std::uint64_t scaled = static_cast<std::uint64_t>(random_bits) * buckets_.size();
        const auto index = static_cast<std::uint32_t>(scaled >> 32);
        const auto fraction = static_cast<std::uint32_t>(scaled);
        const Bucket& bucket = buckets_[index];
        return fraction < bucket.threshold ? index : bucket.alias;
    }

private:
    // Threshold and alias side by side: a draw touches one cache line (the
    // 16-bit weight codes' table is 512 KB, beyond the L2 cache).
    struct Bucket {
        std::uint32_t threshold; // P(keep bucket) * 2^32, saturated
        std::uint32_t alias;
    };
    std::vector<Bucket> buckets_;
};

} // namespace dtb::sim
