#pragma once
// Doubles travel through the Communicator's 64-bit integer collectives as
// their bit patterns: exact, no conversion.
#include <cstdint>
#include <cstring>

namespace dtb::comm {

inline std::uint64_t bits_of(double value)
{
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

inline double double_of(std::uint64_t bits)
{
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

} // namespace dtb::comm
