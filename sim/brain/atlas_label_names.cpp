#include "sim/brain/atlas_label_names.hpp"

#include <fstream>
#include <sstream>

namespace dtb::brain {

namespace {

bool drop_suffix(std::string& text, const std::string& suffix)
{
    if (text.size() < suffix.size() || text.compare(text.size() - suffix.size(), suffix.size(), suffix) != 0)
        return false;
    text.resize(text.size() - suffix.size());
    return true;
}

} // namespace

std::map<std::int64_t, std::string> read_atlas_label_names(const std::string& atlas_path)
{
    std::string with_nii = atlas_path;
    drop_suffix(with_nii, ".gz");
    std::string stem = with_nii;
    drop_suffix(stem, ".nii");
    std::map<std::int64_t, std::string> names;
    for (const std::string& candidate : { with_nii + ".txt", stem + ".txt" }) {
        std::ifstream in(candidate);
        if (!in)
            continue;
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::int64_t label = 0;
            std::string name;
            if (fields >> label >> name)
                names.emplace(label, name);
        }
        if (!names.empty())
            break;
    }
    return names;
}

} // namespace dtb::brain
