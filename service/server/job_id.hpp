#pragma once
// Job ids: "j-" and 16 random lowercase hex digits, made by the server. An id
// from a request is checked against this form before it is used anywhere
// (and so before it names a directory).
#include <string>

namespace dtb::service {

std::string new_job_id();

bool is_well_formed_job_id(const std::string& text);

} // namespace dtb::service
