#pragma once
// The whole content of a file (a job's result, a server log) as bytes;
// empty if it cannot be read.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace dtb::service::testing {

inline std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace dtb::service::testing
