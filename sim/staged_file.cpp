#include "sim/staged_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace dtb::sim {

namespace {
std::string temp_name_for(const std::string& final_path, const std::string& suffix = "")
{
    const auto slash = final_path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string() : final_path.substr(0, slash + 1);
    std::string name = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
    const bool keep = !suffix.empty() && name.size() > suffix.size()
        && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (keep)
        name.resize(name.size() - suffix.size());
    return dir + "." + name + ".partial-" + std::to_string(::getpid()) + (keep ? suffix : "");
}
} // namespace

StagedFile::StagedFile(std::string final_path)
    : final_path_(std::move(final_path))
    , temp_path_(temp_name_for(final_path_))
{
}

StagedFile::StagedFile(std::string final_path, const std::string& suffix)
    : final_path_(std::move(final_path))
    , temp_path_(temp_name_for(final_path_, suffix))
{
}

StagedFile::~StagedFile()
{
    if (!committed_)
        std::remove(temp_path_.c_str());
}

void StagedFile::commit()
{
    if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
        throw std::runtime_error("cannot rename " + temp_path_ + " to " + final_path_ + ": "
            + std::strerror(errno));
    committed_ = true;
}

} // namespace dtb::sim
