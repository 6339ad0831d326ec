#include "sim/staged_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace dtb::sim {

namespace {
std::string temp_name_for(const std::string& final_path)
{
    const auto slash = final_path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string() : final_path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
    return dir + "." + name + ".partial-" + std::to_string(::getpid());
}
} // namespace

StagedFile::StagedFile(std::string final_path)
    : final_path_(std::move(final_path))
    , temp_path_(temp_name_for(final_path_))
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
