#pragma once
// Follows a growing log file: each read returns the complete lines appended
// since the last read (a trailing partial line waits for its newline), and
// the last few lines are kept for failure reasons.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace dtb::service {

class LogFileTail {
public:
    explicit LogFileTail(std::string path);

    /// New complete lines. With `flush`, a trailing partial line too (the
    /// writer has ended). A missing file reads as empty.
    std::vector<std::string> read_new_lines(bool flush = false);

    /// The last lines read (at most 20), oldest first.
    const std::deque<std::string>& recent_lines() const { return recent_; }

private:
    static constexpr std::size_t max_recent_lines = 20;
    static constexpr std::size_t max_line_bytes = 4096;
    std::string path_;
    std::uint64_t offset_ = 0;
    std::string partial_;
    std::deque<std::string> recent_;
};

} // namespace dtb::service
