#include "service/server/server_log.hpp"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace dtb::service {

void log_line(const std::string& message)
{
    static std::mutex mutex;
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "%s dtb-server: %s\n", stamp, message.c_str());
    std::fflush(stderr);
}

} // namespace dtb::service
