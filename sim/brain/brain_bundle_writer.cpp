#include "sim/brain/brain_bundle_writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

#include "sim/brain_arrays.hpp"
#include "sim/staged_file.hpp"

namespace dtb::brain {

namespace {

namespace fs = std::filesystem;

void write_text(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

// Writes the three files into `dir` under temporary names, then renames them.
void write_files_staged(const BrainBuild& build, const std::string& dir)
{
    sim::StagedFile model(dir + "/model.yaml");
    sim::StagedFile report(dir + "/report.txt");
    write_text(model.temp_path(), build.model_yaml);
    write_text(report.temp_path(), build.report.text());
    // write_brain_arrays stages brain.h5 itself; it goes first so that a
    // failure there leaves the old bundle (if any) untouched.
    sim::write_brain_arrays(dir + "/brain.h5", build.arrays);
    model.commit();
    report.commit();
}

} // namespace

void write_brain_bundle(const BrainBuild& build, const std::string& out_dir)
{
    std::error_code error;
    const fs::path out(out_dir);
    const auto status = fs::status(out, error);
    if (fs::exists(status)) {
        if (!fs::is_directory(status))
            throw std::runtime_error("--out " + out_dir + ": exists and is not a directory; allowed: a new or "
                                                          "existing directory");
        write_files_staged(build, out_dir);
        return;
    }
    const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
    if (!fs::is_directory(parent, error))
        throw std::runtime_error("--out " + out_dir + ": the parent directory " + parent.string()
            + " does not exist; allowed: a directory whose parent exists");
    const fs::path name = out.filename().empty() ? out.parent_path().filename() : out.filename();
    const fs::path staging = parent / ("." + name.string() + ".partial-" + std::to_string(::getpid()));
    fs::remove_all(staging, error);
    if (!fs::create_directory(staging, error))
        throw std::runtime_error("--out " + out_dir + ": cannot create " + staging.string() + ": " + error.message());
    try {
        write_files_staged(build, staging.string());
        fs::rename(staging, out);
    } catch (...) {
        fs::remove_all(staging, error);
        throw;
    }
}

} // namespace dtb::brain
