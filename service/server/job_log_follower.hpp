#pragma once
// Follows a job's log file (dtb.log) and turns its lines into runner events:
// the network being built, the newest progress of each read, and the last
// "dtb: error:" line kept for the failure reason. Shared by every runner,
// since `dtb run` writes the same log however it was launched.
#include <string>
#include <vector>

#include "service/server/job_runner.hpp"
#include "service/server/log_file_tail.hpp"

namespace dtb::service {

class JobLogFollower {
public:
    JobLogFollower(std::string job_id, const std::string& log_path);

    /// Appends events for the lines written since the last read. With
    /// `flush`, a trailing partial line counts too (the writer has ended).
    void read(bool flush, std::vector<RunnerEvent>& events);

    /// The last "dtb: error:" line, else the last line read, else "".
    std::string error_message() const;

private:
    std::string job_id_;
    LogFileTail log_;
    std::string last_error_;
};

} // namespace dtb::service
