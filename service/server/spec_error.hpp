#pragma once
// A problem with a submitted JobSpec, naming the field path from the request
// ("spec.simulation.model.populations[0].size", "spec.brain_build.atlas").
// Most problems are invalid values (INVALID_ARGUMENT); an input reference
// can also name a missing file, another user's job or a job that has not
// succeeded, which the service answers with their own status codes.
#include <stdexcept>
#include <string>

namespace dtb::service {

class SpecError : public std::runtime_error {
public:
    enum class Kind {
        Invalid,            // INVALID_ARGUMENT
        NotFound,           // NOT_FOUND: an input file or a referenced job does not exist
        PermissionDenied,   // PERMISSION_DENIED: a referenced job belongs to another user
        FailedPrecondition, // FAILED_PRECONDITION: a referenced job has not succeeded
    };

    SpecError(std::string field_path, std::string message, Kind kind = Kind::Invalid)
        : std::runtime_error(field_path + ": " + message)
        , field_path_(std::move(field_path))
        , message_(std::move(message))
        , kind_(kind)
    {
    }
    const std::string& field_path() const { return field_path_; }
    const std::string& message() const { return message_; }
    Kind kind() const { return kind_; }

private:
    std::string field_path_;
    std::string message_;
    Kind kind_;
};

} // namespace dtb::service
