#include "service/server/request_id.hpp"

namespace dtb::service {

std::optional<std::string> request_id_problem(const std::string& request_id)
{
    if (request_id.size() > max_request_id_length)
        return "at most " + std::to_string(max_request_id_length) + " characters, got "
            + std::to_string(request_id.size());
    for (const char c : request_id) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
            || c == '_' || c == ':' || c == '-';
        if (!allowed)
            return "only letters, digits and . _ : - are allowed";
    }
    return std::nullopt;
}

} // namespace dtb::service
