#pragma once
// An output file written under a temporary name in the same directory and
// renamed onto its final name only by commit(): an interrupted or failed run
// never leaves a file that looks finished. Without commit() the destructor
// removes the temporary file.
#include <string>

namespace dtb::sim {

class StagedFile {
public:
    explicit StagedFile(std::string final_path);
    /// For writers that choose the format by the file name's ending (NIfTI's
    /// ".nii.gz"): when final_path ends with `suffix`, the temporary name
    /// ends with it too, "<dir>/.<name without suffix>.partial-<pid><suffix>".
    StagedFile(std::string final_path, const std::string& suffix);
    ~StagedFile();
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    /// Where to write: "<dir>/.<name>.partial-<pid>".
    const std::string& temp_path() const { return temp_path_; }
    const std::string& final_path() const { return final_path_; }
    /// Atomically renames the temporary file onto the final path; throws
    /// std::runtime_error (with strerror) if the rename fails.
    void commit();

private:
    std::string final_path_;
    std::string temp_path_;
    bool committed_ = false;
};

} // namespace dtb::sim
