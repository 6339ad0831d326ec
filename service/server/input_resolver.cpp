#include "service/server/input_resolver.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "service/common/job_state_text.hpp"
#include "service/server/input_reference.hpp"
#include "service/server/spec_error.hpp"

namespace dtb::service {

namespace {

namespace fs = std::filesystem;

bool lies_inside(const fs::path& path, const fs::path& root)
{
    const std::string text = path.string();
    std::string prefix = root.string();
    if (prefix.empty() || prefix.back() != '/')
        prefix += '/';
    return text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// `root / relative_path` with every symbolic link resolved, if it exists;
// nullopt if it does not. Throws SpecError if it leads out of `root` (also
// through a dangling link).
std::optional<fs::path> existing_path_below(const fs::path& root, const std::string& relative_path,
    const std::string& reference, const std::string& field_path, const std::string& root_name)
{
    std::error_code error;
    const fs::path resolved = fs::weakly_canonical(root / relative_path, error);
    if (error)
        throw SpecError(field_path, "'" + reference + "' cannot be resolved: " + error.message());
    if (!lies_inside(resolved, root))
        throw SpecError(field_path, "'" + reference + "' leads out of " + root_name + " (through a symbolic link)");
    if (!fs::exists(resolved, error))
        return std::nullopt;
    return resolved;
}

void check_kind(const fs::path& path, const std::string& reference, const std::string& field_path,
    InputResolver::Expect expect)
{
    std::error_code error;
    if (fs::is_regular_file(path, error))
        return;
    if (expect == InputResolver::Expect::FileOrDirectory && fs::is_directory(path, error))
        return;
    throw SpecError(field_path, "'" + reference + "' is not a "
            + (expect == InputResolver::Expect::File ? "regular file" : "regular file or directory"));
}

} // namespace

InputResolver::InputResolver(const std::vector<std::string>& input_directories, JobStore& store,
    std::string jobs_directory)
    : store_(store)
    , jobs_directory_(std::move(jobs_directory))
{
    // Users must not reach each other's results (or the job database)
    // through an input directory.
    std::error_code error;
    const fs::path data_directory = fs::weakly_canonical(fs::path(jobs_directory_).parent_path(), error);
    for (const std::string& directory : input_directories) {
        const fs::path canonical = fs::canonical(directory, error);
        if (error || !fs::is_directory(canonical, error))
            throw std::runtime_error("--input-dir " + directory + ": not an existing directory");
        if (canonical == data_directory || lies_inside(data_directory, canonical)
            || lies_inside(canonical, data_directory))
            throw std::runtime_error("--input-dir " + directory + ": must not contain the data directory "
                + data_directory.string() + " nor lie inside it");
        input_directories_.push_back(canonical.string());
    }
}

std::string InputResolver::resolve(
    const std::string& reference, const std::string& field_path, const std::string& owner, Expect expect) const
{
    const InputReference parsed = parse_input_reference(reference, field_path);
    if (parsed.source == InputReference::Source::JobResult)
        return resolve_in_job_results(parsed.job_id, parsed.relative_path, field_path, owner, expect);
    return resolve_in_input_directories(parsed.relative_path, field_path, expect);
}

std::string InputResolver::resolve_in_input_directories(
    const std::string& relative_path, const std::string& field_path, Expect expect) const
{
    if (input_directories_.empty())
        throw SpecError(field_path, "'" + relative_path
                + "': this server has no input directories (dtb-server --input-dir), so only results of your "
                  "earlier jobs can be named, as job:ID/PATH");
    for (const std::string& directory : input_directories_) {
        const auto found = existing_path_below(directory, relative_path, relative_path, field_path,
            "the input directory");
        if (!found)
            continue;
        check_kind(*found, relative_path, field_path, expect);
        return found->string();
    }
    throw SpecError(field_path, "'" + relative_path + "' is in none of the server's input directories",
        SpecError::Kind::NotFound);
}

std::string InputResolver::resolve_in_job_results(const std::string& job_id, const std::string& relative_path,
    const std::string& field_path, const std::string& owner, Expect expect) const
{
    const std::string reference = std::string(job_result_prefix) + job_id + "/" + relative_path;
    const auto job = store_.find(job_id);
    if (!job)
        throw SpecError(field_path, "'" + reference + "': job " + job_id + " does not exist",
            SpecError::Kind::NotFound);
    if (job->owner() != owner)
        throw SpecError(field_path, "'" + reference + "': job " + job_id
                + " belongs to another user; only your own jobs' results can be named",
            SpecError::Kind::PermissionDenied);
    if (job->state() != v1::SUCCEEDED)
        throw SpecError(field_path, "'" + reference + "': job " + job_id + " is " + job_state_name(job->state())
                + "; only the results of a job that SUCCEEDED can be named",
            SpecError::Kind::FailedPrecondition);
    std::error_code error;
    const fs::path results = fs::canonical(fs::path(jobs_directory_) / job_id, error);
    if (error)
        throw SpecError(field_path, "'" + reference + "': job " + job_id + " has no results directory",
            SpecError::Kind::NotFound);
    const auto found = existing_path_below(results, relative_path, reference, field_path, "the job's results");
    if (!found)
        throw SpecError(field_path, "'" + reference + "': job " + job_id + " has no result '" + relative_path + "'",
            SpecError::Kind::NotFound);
    check_kind(*found, reference, field_path, expect);
    return found->string();
}

} // namespace dtb::service
