#pragma once
// Writes a file the server hands to others (a job's model or config, a
// Slurm batch script) under a temporary name and renames it into place, so
// that nobody reads a half-written one.
#include <filesystem>
#include <optional>
#include <string>

namespace dtb::service {

/// Writes `text` to `path` + ".partial", sets `permissions` if given, and
/// renames it to `path`. Throws std::runtime_error (or a filesystem_error).
void write_file_atomically(const std::string& path, const std::string& text,
    std::optional<std::filesystem::perms> permissions = std::nullopt);

} // namespace dtb::service
