#pragma once
// The files a job's results consist of: the regular files below its job
// directory. Listing never follows a symbolic link and opening walks the
// path one component at a time with O_NOFOLLOW, so a request can only ever
// read a regular file that lies inside the directory; a requested name must
// also be exactly one of the listed paths.
#include <cstdint>
#include <string>
#include <vector>

namespace dtb::service {

struct ResultFile {
    std::string path;  // relative, '/'-separated, e.g. "summary.json"
    std::uint64_t size = 0;
};

/// Regular files under `directory`, sorted by path; symbolic links,
/// devices, sockets and the like are left out. Throws std::runtime_error if
/// the directory cannot be read.
std::vector<ResultFile> list_result_files(const std::string& directory);

/// A read-only descriptor for `relative_path` below `directory`; throws
/// std::runtime_error if it is not a regular file reached without leaving
/// the directory or following a link. The caller closes it.
int open_result_file(const std::string& directory, const std::string& relative_path);

} // namespace dtb::service
