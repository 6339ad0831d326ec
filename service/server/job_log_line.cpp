#include "service/server/job_log_line.hpp"

#include <algorithm>
#include <regex>

namespace dtb::service {

JobLogLine parse_job_log_line(const std::string& line)
{
    // Searched, not matched, so a prefix (an MPI rank tag) does not hide it.
    static const std::regex progress(R"(([A-Za-z][A-Za-z_-]*)\s+([0-9.]+)%\s+t = ([0-9.]+) / ([0-9.]+) ms\s+)"
                                     R"(rtf ([0-9.]+|inf|nan)\s+eta ([0-9.]+|inf|nan) s)");
    static const std::regex built(R"(dtb: [0-9]+ neurons, [0-9]+ synapses, built in)");
    // `dtb assimilate`, after each TR: "dtb: TR 3/12 (warm-up) 1.25 s  g_ampa_E mean ...".
    static const std::regex assimilated_tr(R"(dtb: TR ([0-9]+)/([0-9]+)( \(warm-up\))? ([0-9.]+) s)");
    static const std::string error_prefix = "dtb: error: ";

    JobLogLine parsed;
    if (const auto at = line.find(error_prefix); at != std::string::npos) {
        parsed.kind = JobLogLine::Kind::Error;
        parsed.message = line.substr(at + error_prefix.size());
        return parsed;
    }
    const auto number = [](const std::string& text) {
        try {
            return std::stod(text);
        } catch (const std::exception&) {
            return 0.0;
        }
    };
    std::smatch match;
    if (std::regex_search(line, match, progress)) {
        parsed.kind = JobLogLine::Kind::Progress;
        parsed.phase = match[1];
        parsed.fraction = std::min(1.0, std::max(0.0, number(match[2]) / 100.0));
        parsed.simulated_ms = number(match[3]);
        parsed.total_ms = number(match[4]);
        parsed.real_time_factor = number(match[5]);
        parsed.eta_s = number(match[6]);
        return parsed;
    }
    if (std::regex_search(line, match, assimilated_tr)) {
        const double done = number(match[1]);
        const double total = number(match[2]);
        parsed.kind = JobLogLine::Kind::Progress;
        parsed.phase = match[3].matched ? "assimilate (warm-up)" : "assimilate";
        parsed.fraction = total > 0 ? std::min(1.0, std::max(0.0, done / total)) : 0.0;
        parsed.eta_s = std::max(0.0, total - done) * number(match[4]);
        return parsed;
    }
    if (std::regex_search(line, built))
        parsed.kind = JobLogLine::Kind::NetworkBuilt;
    return parsed;
}

} // namespace dtb::service
