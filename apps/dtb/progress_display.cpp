#include "progress_display.hpp"

#include <unistd.h>

namespace dtb::app {

ProgressDisplay::ProgressDisplay(std::FILE* out, double total_ms, const char* phase)
    : out_(out)
    , total_ms_(total_ms)
    , phase_(phase)
    , terminal_(::isatty(::fileno(out)) != 0)
    , start_(std::chrono::steady_clock::now())
    , last_draw_(start_)
{
}

void ProgressDisplay::update(double simulated_ms)
{
    const auto now = std::chrono::steady_clock::now();
    const double wall_s = std::chrono::duration<double>(now - start_).count();
    const double fraction = total_ms_ > 0 ? simulated_ms / total_ms_ : 1.0;
    const double rtf = simulated_ms > 0 ? wall_s / (simulated_ms * 1e-3) : 0.0;
    const double eta_s = fraction > 0 ? wall_s * (1.0 - fraction) / fraction : 0.0;
    if (terminal_) {
        if (std::chrono::duration<double>(now - last_draw_).count() < 0.2 && fraction < 1.0)
            return;
        last_draw_ = now;
        std::fprintf(out_, "\r%s %5.1f%%  t = %.1f / %.1f ms  rtf %.2f  eta %.0f s   ", phase_, 100.0 * fraction,
            simulated_ms, total_ms_, rtf, eta_s);
        std::fflush(out_);
        return;
    }
    const int decile = static_cast<int>(fraction * 10.0 + 1e-9);
    if (decile <= last_decile_)
        return;
    last_decile_ = decile;
    std::fprintf(out_, "%s %3d%%  t = %.1f / %.1f ms  rtf %.2f  eta %.0f s\n", phase_, decile * 10, simulated_ms,
        total_ms_, rtf, eta_s);
    std::fflush(out_);
}

void ProgressDisplay::finish()
{
    if (terminal_) {
        std::fputc('\n', out_);
        std::fflush(out_);
    }
}

} // namespace dtb::app
