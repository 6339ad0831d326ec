#include "service/server/job_log_follower.hpp"

#include <optional>

namespace dtb::service {

JobLogFollower::JobLogFollower(std::string job_id, const std::string& log_path)
    : job_id_(std::move(job_id))
    , log_(log_path)
{
}

void JobLogFollower::read(bool flush, std::vector<RunnerEvent>& events)
{
    std::optional<JobLogLine> last_progress;
    for (const auto& line : log_.read_new_lines(flush)) {
        JobLogLine parsed = parse_job_log_line(line);
        switch (parsed.kind) {
        case JobLogLine::Kind::NetworkBuilt: {
            RunnerEvent event;
            event.kind = RunnerEvent::Kind::NetworkBuilt;
            event.job_id = job_id_;
            events.push_back(std::move(event));
            break;
        }
        case JobLogLine::Kind::Progress:
            last_progress = std::move(parsed);
            break;
        case JobLogLine::Kind::Error:
            last_error_ = parsed.message;
            break;
        case JobLogLine::Kind::Other:
            break;
        }
    }
    // Only the newest progress of a read matters.
    if (last_progress) {
        RunnerEvent event;
        event.kind = RunnerEvent::Kind::Progress;
        event.job_id = job_id_;
        event.progress = std::move(*last_progress);
        events.push_back(std::move(event));
    }
}

std::string JobLogFollower::error_message() const
{
    if (!last_error_.empty())
        return last_error_;
    if (!log_.recent_lines().empty())
        return log_.recent_lines().back();
    return "";
}

} // namespace dtb::service
