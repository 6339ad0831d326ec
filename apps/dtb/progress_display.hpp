#pragma once
// Progress of a long simulation: on a terminal one self-overwriting line
// (simulated time, real-time factor, ETA); in a pipe or file a plain line
// every 10 % so logs stay readable.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace dtb::app {

class ProgressDisplay {
public:
    ProgressDisplay(std::FILE* out, double total_ms, const char* phase);
    /// Called with the simulated time reached (ms, from 0 to total_ms).
    void update(double simulated_ms);
    void finish();

private:
    std::FILE* out_;
    double total_ms_;
    const char* phase_;
    bool terminal_;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

} // namespace dtb::app
