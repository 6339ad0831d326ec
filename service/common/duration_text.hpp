#pragma once
// Durations as people write them on command lines: "90", "90s", "15m",
// "2h", "1d", "500ms", "1h30m".
#include <optional>
#include <string>

namespace dtb::service {

/// Seconds for a duration text; a bare number is seconds. nullopt if the text
/// is not a non-negative duration.
std::optional<double> parse_duration_seconds(const std::string& text);

/// "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h" (whole seconds).
std::string format_duration(double seconds);

} // namespace dtb::service
