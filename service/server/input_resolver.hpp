#pragma once
// The server's input policy: where the files a job reads may come from.
// An input reference (input_reference.hpp) resolves to a canonical absolute
// path (symbolic links resolved) that lies inside one of the server's input
// directories (--input-dir, read-only roots chosen by the operator, searched
// in the order given), or inside the results of an earlier job of the same
// user that SUCCEEDED. Nothing else of the server's file system can be named.
#include <string>
#include <vector>

#include "service/server/job_store.hpp"

namespace dtb::service {

class InputResolver {
public:
    enum class Expect { File, FileOrDirectory };

    /// `input_directories` are made canonical here; each must be an existing
    /// directory (std::runtime_error otherwise). `jobs_directory` holds one
    /// results directory per job id.
    InputResolver(const std::vector<std::string>& input_directories, JobStore& store, std::string jobs_directory);

    /// The canonical absolute path of what `reference` names for a job of
    /// `owner`. Throws SpecError naming `field_path`: INVALID_ARGUMENT for a
    /// malformed reference or a path that leaves its root, NOT_FOUND for a
    /// missing file or job, PERMISSION_DENIED for another user's job,
    /// FAILED_PRECONDITION for a job that has not succeeded.
    std::string resolve(
        const std::string& reference, const std::string& field_path, const std::string& owner, Expect expect) const;

    const std::vector<std::string>& input_directories() const { return input_directories_; }

private:
    std::string resolve_in_input_directories(
        const std::string& relative_path, const std::string& field_path, Expect expect) const;
    std::string resolve_in_job_results(const std::string& job_id, const std::string& relative_path,
        const std::string& field_path, const std::string& owner, Expect expect) const;

    std::vector<std::string> input_directories_;
    JobStore& store_;
    std::string jobs_directory_;
};

} // namespace dtb::service
