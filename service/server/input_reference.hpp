#pragma once
// The text of an input reference (job_spec.proto): "DIR/FILE", a path
// relative to one of the server's input directories, or "job:ID/PATH", a
// result file of an earlier job. Parsing checks the text alone: the form,
// a well-formed job id, and a relative path without ".", ".." or empty
// components and without control characters. Where the path leads on disk
// is the InputResolver's business.
#include <string>

namespace dtb::service {

struct InputReference {
    enum class Source { InputDirectory, JobResult };
    Source source = Source::InputDirectory;
    std::string job_id;        // JobResult: the job whose results hold the file
    std::string relative_path; // below the input directory or the job's results
};

/// The prefix of a job-result reference.
inline constexpr const char* job_result_prefix = "job:";

/// Parses `text`; throws SpecError (INVALID_ARGUMENT) naming `field_path`.
InputReference parse_input_reference(const std::string& text, const std::string& field_path);

} // namespace dtb::service
