#include "service/common/job_state_text.hpp"

#include <algorithm>
#include <cctype>

namespace dtb::service {

std::string job_state_name(v1::JobState state)
{
    const std::string& name = v1::JobState_Name(state);
    return name.empty() ? "JOB_STATE_" + std::to_string(static_cast<int>(state)) : name;
}

std::optional<v1::JobState> parse_job_state(const std::string& text)
{
    std::string upper = text;
    std::transform(upper.begin(), upper.end(), upper.begin(),
        [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    v1::JobState state{};
    if (!v1::JobState_Parse(upper, &state) || state == v1::JOB_STATE_UNSPECIFIED)
        return std::nullopt;
    return state;
}

bool is_final_state(v1::JobState state)
{
    return state == v1::SUCCEEDED || state == v1::FAILED || state == v1::CANCELLED || state == v1::TIMED_OUT;
}

std::string job_state_names()
{
    std::string names;
    for (int value = v1::JobState_MIN; value <= v1::JobState_MAX; ++value) {
        if (value == v1::JOB_STATE_UNSPECIFIED || !v1::JobState_IsValid(value))
            continue;
        if (!names.empty())
            names += ", ";
        names += v1::JobState_Name(static_cast<v1::JobState>(value));
    }
    return names;
}

} // namespace dtb::service
