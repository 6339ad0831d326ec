#include "service/server/atomic_file_write.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace dtb::service {

void write_file_atomically(
    const std::string& path, const std::string& text, std::optional<std::filesystem::perms> permissions)
{
    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
    }
    if (permissions)
        std::filesystem::permissions(temporary, *permissions);
    std::filesystem::rename(temporary, path);
}

} // namespace dtb::service
