#include "service/server/input_reference.hpp"

#include "service/server/job_id.hpp"
#include "service/server/spec_error.hpp"

namespace dtb::service {

namespace {

constexpr std::size_t max_reference_bytes = 4096;

// Request text echoed in a message is cut short (it is free of control
// characters by then).
std::string shown(const std::string& text) { return text.size() > 100 ? text.substr(0, 100) + "..." : text; }

void check_relative_path(const std::string& path, const std::string& whole, const std::string& field_path)
{
    const auto invalid = [&](const std::string& why) {
        throw SpecError(field_path, "'" + shown(whole) + "': " + why);
    };
    if (path.empty())
        invalid("names no file");
    if (path.front() == '/')
        invalid("absolute paths are not allowed; name a file relative to an input directory (--input-dir) or a "
                "job result as job:ID/PATH");
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string component = path.substr(start, end - start);
        if (component == "..")
            invalid("'..' components are not allowed");
        if (component == ".")
            invalid("'.' components are not allowed");
        if (component.empty())
            invalid("empty path components ('//' or a trailing '/') are not allowed");
        start = end + 1;
    }
}

} // namespace

InputReference parse_input_reference(const std::string& text, const std::string& field_path)
{
    if (text.size() > max_reference_bytes)
        throw SpecError(field_path, "longer than " + std::to_string(max_reference_bytes) + " bytes");
    for (const char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw SpecError(field_path, "must not contain control characters");
    InputReference reference;
    const std::string prefix = job_result_prefix;
    if (text.rfind(prefix, 0) != 0) {
        check_relative_path(text, text, field_path);
        reference.relative_path = text;
        return reference;
    }
    const std::string rest = text.substr(prefix.size());
    const std::size_t slash = rest.find('/');
    reference.source = InputReference::Source::JobResult;
    reference.job_id = rest.substr(0, slash);
    if (!is_well_formed_job_id(reference.job_id))
        throw SpecError(field_path, "'" + shown(text) + "': '" + shown(reference.job_id)
                + "' is not a job id; a job result is named job:ID/PATH, e.g. job:j-0123456789abcdef/model.yaml");
    if (slash == std::string::npos)
        throw SpecError(field_path, "'" + shown(text) + "' names no file of the job; write job:ID/PATH, e.g. job:"
                + reference.job_id + "/model.yaml");
    reference.relative_path = rest.substr(slash + 1);
    check_relative_path(reference.relative_path, text, field_path);
    return reference;
}

} // namespace dtb::service
