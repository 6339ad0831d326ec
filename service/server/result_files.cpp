#include "service/server/result_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace dtb::service {

namespace {

constexpr int max_depth = 8;
constexpr std::size_t max_files = 10000;

class FileDescriptor {
public:
    explicit FileDescriptor(int fd)
        : fd_(fd)
    {
    }
    ~FileDescriptor()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    FileDescriptor& operator=(FileDescriptor&& other) noexcept
    {
        if (this != &other) {
            if (fd_ >= 0)
                ::close(fd_);
            fd_ = other.release();
        }
        return *this;
    }
    int get() const { return fd_; }
    int release()
    {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

void list_below(int directory_fd, const std::string& prefix, int depth, std::vector<ResultFile>& files)
{
    // fdopendir owns the descriptor it is given.
    const int own_fd = ::dup(directory_fd);
    if (own_fd < 0)
        throw std::runtime_error("cannot list results: dup: " + std::string(std::strerror(errno)));
    DIR* directory = ::fdopendir(own_fd);
    if (directory == nullptr) {
        ::close(own_fd);
        throw std::runtime_error("cannot list results in '" + prefix + "': " + std::strerror(errno));
    }
    std::vector<std::string> subdirectories;
    while (const dirent* entry = ::readdir(directory)) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..")
            continue;
        struct stat info {};
        if (::fstatat(directory_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(info.st_mode) && files.size() < max_files)
            files.push_back(ResultFile{prefix + name, static_cast<std::uint64_t>(info.st_size)});
        else if (S_ISDIR(info.st_mode) && depth < max_depth)
            subdirectories.push_back(name);
    }
    ::closedir(directory);
    for (const auto& name : subdirectories) {
        FileDescriptor child(::openat(directory_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (child.get() >= 0)
            list_below(child.get(), prefix + name + "/", depth + 1, files);
    }
}

} // namespace

std::vector<ResultFile> list_result_files(const std::string& directory)
{
    FileDescriptor root(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root.get() < 0)
        throw std::runtime_error("cannot open results directory " + directory + ": " + std::strerror(errno));
    std::vector<ResultFile> files;
    list_below(root.get(), "", 0, files);
    std::sort(files.begin(), files.end(), [](const ResultFile& a, const ResultFile& b) { return a.path < b.path; });
    return files;
}

int open_result_file(const std::string& directory, const std::string& relative_path)
{
    const auto refuse = [&](const std::string& why) -> int {
        throw std::runtime_error("result file '" + relative_path.substr(0, 200) + "': " + why);
    };
    if (relative_path.empty() || relative_path.front() == '/' || relative_path.find('\0') != std::string::npos)
        return refuse("not a relative path");
    FileDescriptor current(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (current.get() < 0)
        return refuse("cannot open the results directory: " + std::string(std::strerror(errno)));
    std::size_t start = 0;
    for (;;) {
        const auto slash = relative_path.find('/', start);
        const std::string component = relative_path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (component.empty() || component == "." || component == "..")
            return refuse("'" + component + "' is not allowed in a result path");
        const bool last = slash == std::string::npos;
        const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY);
        FileDescriptor next(::openat(current.get(), component.c_str(), flags));
        if (next.get() < 0)
            return refuse(std::strerror(errno));
        if (last) {
            struct stat info {};
            if (::fstat(next.get(), &info) != 0 || !S_ISREG(info.st_mode))
                return refuse("not a regular file");
            // Reads are ordinary blocking reads from here on.
            ::fcntl(next.get(), F_SETFL, ::fcntl(next.get(), F_GETFL) & ~O_NONBLOCK);
            return next.release();
        }
        current = std::move(next);
        start = slash + 1;
    }
}

} // namespace dtb::service
