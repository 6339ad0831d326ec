#include "service/common/duration_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace dtb::service {

std::optional<double> parse_duration_seconds(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    double total = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char* begin = text.c_str() + pos;
        if (!std::isdigit(static_cast<unsigned char>(*begin)) && *begin != '.')
            return std::nullopt;
        char* end = nullptr;
        const double value = std::strtod(begin, &end);
        if (end == begin || !std::isfinite(value) || value < 0)
            return std::nullopt;
        pos += static_cast<std::size_t>(end - begin);
        std::size_t unit_end = pos;
        while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end])))
            ++unit_end;
        const std::string unit = text.substr(pos, unit_end - pos);
        pos = unit_end;
        double scale = 0;
        if (unit.empty() || unit == "s")
            scale = 1;
        else if (unit == "ms")
            scale = 1e-3;
        else if (unit == "m" || unit == "min")
            scale = 60;
        else if (unit == "h")
            scale = 3600;
        else if (unit == "d")
            scale = 86400;
        else
            return std::nullopt;
        // A bare number is only allowed on its own ("90", not "1h30").
        if (unit.empty() && (total != 0 || pos != text.size()))
            return std::nullopt;
        total += value * scale;
    }
    return total;
}

std::string format_duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    auto s = static_cast<long long>(std::llround(seconds));
    if (s < 60)
        return std::to_string(s) + " s";
    if (s < 3600)
        return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
    if (s < 86400)
        return std::to_string(s / 3600) + " h " + std::to_string((s % 3600) / 60) + " min";
    return std::to_string(s / 86400) + " d " + std::to_string((s % 86400) / 3600) + " h";
}

} // namespace dtb::service
