#pragma once
// The error a user gets for a bad model file: names the file, the field path
// (e.g. "populations[1].size") and what is allowed. The CLI maps it to exit 2.
#include <stdexcept>
#include <string>

namespace dtb::sim {

class ModelError : public std::runtime_error {
public:
    ModelError(std::string file, std::string field_path, std::string message)
        : std::runtime_error(format(file, field_path, message))
        , file_(std::move(file))
        , field_path_(std::move(field_path))
        , message_(std::move(message))
    {
    }
    const std::string& file() const { return file_; }
    const std::string& field_path() const { return field_path_; }
    const std::string& message() const { return message_; }

private:
    static std::string format(const std::string& file, const std::string& path, const std::string& msg)
    {
        std::string out = file;
        if (!path.empty())
            out += ": " + path;
        return out + ": " + msg;
    }
    std::string file_;
    std::string field_path_;
    std::string message_;
};

} // namespace dtb::sim
