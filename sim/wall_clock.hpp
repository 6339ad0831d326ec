#pragma once
// Wall-clock seconds since a start point (timings in summaries and progress).
#include <chrono>

namespace dtb::sim {

inline double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace dtb::sim
