#pragma once
// Test helpers for the whole-brain builder: a temporary directory, text
// files, and synthetic NIfTI volumes with known labels and coordinates.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/brain/nifti_volume.hpp"

namespace dtb::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDirectory {
public:
    TempDirectory()
    {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/dtb_brain_test_XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDirectory()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline void write_text_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

/// A volume of nx x ny x nz voxels with value(i, j, k) and the affine
/// x = m [i j k 1].
inline brain::NiftiVolume make_volume(std::int64_t nx, std::int64_t ny, std::int64_t nz,
    const std::array<double, 12>& affine, const std::function<double(std::int64_t, std::int64_t, std::int64_t)>& value)
{
    brain::NiftiVolume volume;
    volume.nx = nx;
    volume.ny = ny;
    volume.nz = nz;
    volume.voxel_to_world.m = affine;
    volume.values.resize(static_cast<std::size_t>(nx * ny * nz));
    for (std::int64_t k = 0; k < nz; ++k)
        for (std::int64_t j = 0; j < ny; ++j)
            for (std::int64_t i = 0; i < nx; ++i)
                volume.values[static_cast<std::size_t>(i + nx * (j + ny * k))] = value(i, j, k);
    return volume;
}

} // namespace dtb::test
