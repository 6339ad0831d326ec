#include "service/server/log_file_tail.hpp"

#include <fstream>

namespace dtb::service {

LogFileTail::LogFileTail(std::string path)
    : path_(std::move(path))
{
}

std::vector<std::string> LogFileTail::read_new_lines(bool flush)
{
    std::vector<std::string> lines;
    std::ifstream in(path_, std::ios::binary);
    if (in) {
        in.seekg(static_cast<std::streamoff>(offset_));
        char buffer[16384];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            const auto count = static_cast<std::size_t>(in.gcount());
            offset_ += count;
            for (std::size_t i = 0; i < count; ++i) {
                const char c = buffer[i];
                // Terminal-style redraws ('\r') end a line too.
                if (c == '\n' || c == '\r') {
                    if (!partial_.empty())
                        lines.push_back(std::move(partial_));
                    partial_.clear();
                } else if (partial_.size() < max_line_bytes) {
                    partial_ += c;
                }
            }
        }
    }
    if (flush && !partial_.empty()) {
        lines.push_back(std::move(partial_));
        partial_.clear();
    }
    for (const auto& line : lines) {
        recent_.push_back(line);
        if (recent_.size() > max_recent_lines)
            recent_.pop_front();
    }
    return lines;
}

} // namespace dtb::service
