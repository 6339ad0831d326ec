#pragma once
// Client-chosen request ids of idempotent SubmitJob calls (simulation_service.proto).
#include <optional>
#include <string>

namespace dtb::service {

inline constexpr std::size_t max_request_id_length = 128;

/// Why `request_id` is not acceptable, or nullopt when it is (empty means
/// "no request id" and is acceptable): 1-128 characters of [A-Za-z0-9._:-].
std::optional<std::string> request_id_problem(const std::string& request_id);

} // namespace dtb::service
