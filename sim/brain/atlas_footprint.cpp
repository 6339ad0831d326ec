#include "sim/brain/atlas_footprint.hpp"

#include <stdexcept>
#include <unordered_map>

#include "sim/brain/labelled_atlas_voxels.hpp"

namespace dtb::brain {

AtlasFootprint atlas_footprint(const NiftiVolume& atlas, const std::string& what,
    const std::vector<std::int64_t>& label, const std::vector<double>& centre_mm, double voxel_mm)
{
    const std::size_t entries = label.size();
    if (centre_mm.size() != 3 * entries)
        throw std::invalid_argument("atlas_footprint: centre_mm must hold 3 values per entry");
    const std::string where = what + " " + atlas.path;
    // The entry each atlas voxel belongs to, found by label or by grid cube.
    std::unordered_map<std::uint64_t, std::size_t> entry_of_key;
    for (std::size_t v = 0; v < entries; ++v) {
        std::uint64_t key = static_cast<std::uint64_t>(label[v]);
        if (voxel_mm > 0)
            key = grid_cube_key({ centre_mm[3 * v], centre_mm[3 * v + 1], centre_mm[3 * v + 2] }, voxel_mm);
        if (!entry_of_key.emplace(key, v).second)
            throw std::invalid_argument("atlas_footprint: two entries with the same "
                + std::string(voxel_mm > 0 ? "grid cube" : "label"));
    }
    std::vector<std::vector<std::uint64_t>> voxels_of(entries);
    const auto nx = static_cast<std::uint64_t>(atlas.nx), ny = static_cast<std::uint64_t>(atlas.ny);
    for_each_labelled_voxel(atlas, what, [&](std::uint64_t voxel, std::int64_t voxel_label) {
        std::uint64_t key = static_cast<std::uint64_t>(voxel_label);
        if (voxel_mm > 0) {
            const auto world = atlas.voxel_to_world.apply(static_cast<double>(voxel % nx),
                static_cast<double>((voxel / nx) % ny), static_cast<double>(voxel / (nx * ny)));
            try {
                key = grid_cube_key(world, voxel_mm);
            } catch (const std::runtime_error& e) {
                throw std::runtime_error(where + ": " + e.what());
            }
        }
        const auto found = entry_of_key.find(key);
        if (found != entry_of_key.end())
            voxels_of[found->second].push_back(voxel);
    });

    AtlasFootprint footprint;
    footprint.begin.reserve(entries + 1);
    footprint.begin.push_back(0);
    for (std::size_t v = 0; v < entries; ++v) {
        if (voxels_of[v].empty())
            throw std::runtime_error(where + ": no atlas voxel for model voxel " + std::to_string(v) + " (label "
                + std::to_string(label[v])
                + (voxel_mm > 0 ? ", centre " + std::to_string(centre_mm[3 * v]) + " " + std::to_string(centre_mm[3 * v + 1])
                            + " " + std::to_string(centre_mm[3 * v + 2]) + " mm"
                                : std::string())
                + "); allowed: the atlas the model was built from");
        footprint.atlas_voxel.insert(footprint.atlas_voxel.end(), voxels_of[v].begin(), voxels_of[v].end());
        footprint.begin.push_back(footprint.atlas_voxel.size());
    }
    return footprint;
}

} // namespace dtb::brain
