#include "service/server/job_id.hpp"

#include <cstdio>
#include <mutex>
#include <random>

namespace dtb::service {

std::string new_job_id()
{
    static std::mutex mutex;
    static std::mt19937_64 generator = []() {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    std::uint64_t value = 0;
    {
        std::lock_guard lock(mutex);
        value = generator();
    }
    char text[24];
    std::snprintf(text, sizeof text, "j-%016llx", static_cast<unsigned long long>(value));
    return text;
}

bool is_well_formed_job_id(const std::string& text)
{
    if (text.size() != 18 || text.compare(0, 2, "j-") != 0)
        return false;
    for (std::size_t i = 2; i < text.size(); ++i) {
        const char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace dtb::service
