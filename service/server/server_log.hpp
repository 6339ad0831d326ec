#pragma once
// The server's own log: one timestamped line per event on stderr
// ("2024-05-01T12:00:00Z dtb-server: job j-... RUNNING").
#include <string>

namespace dtb::service {

void log_line(const std::string& message);

} // namespace dtb::service
