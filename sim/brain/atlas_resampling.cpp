// Voxel tables from an atlas: binned into a regular grid (resample_atlas) or
// grouped by label (atlas_regions). Both walk the atlas once; the maps are
// sampled at each labelled atlas voxel, so memory stays O(atlas + table).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "sim/brain/labelled_atlas_voxels.hpp"
#include "sim/brain/voxel_table.hpp"

namespace dtb::brain {

namespace {

// One labelled atlas voxel as the accumulators see it.
struct AtlasSample {
    std::int64_t label;
    std::array<double, 3> world;
    double grey_matter_mm3;
    double density; // NaN when the density map has no finite value here
};

// Calls visit(sample) for every labelled voxel of the atlas.
template <typename Visit>
void for_each_atlas_sample(const AtlasImages& images, Visit&& visit)
{
    const NiftiVolume& atlas = *images.atlas;
    const double voxel_volume = atlas.voxel_to_world.voxel_volume_mm3();
    VoxelToWorld gm_inverse, density_inverse;
    if (images.grey_matter != nullptr)
        gm_inverse = images.grey_matter->voxel_to_world.inverse();
    if (images.density != nullptr)
        density_inverse = images.density->voxel_to_world.inverse();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto nx = static_cast<std::uint64_t>(atlas.nx), ny = static_cast<std::uint64_t>(atlas.ny);
    const std::uint64_t labelled = for_each_labelled_voxel(atlas, "--atlas", [&](std::uint64_t voxel, std::int64_t label) {
        const auto i = static_cast<double>(voxel % nx), j = static_cast<double>((voxel / nx) % ny),
                   k = static_cast<double>(voxel / (nx * ny));
        AtlasSample sample { label, atlas.voxel_to_world.apply(i, j, k), voxel_volume, nan };
        if (images.grey_matter != nullptr) {
            // Missing (outside, NaN) and negative grey matter count as none.
            const double gm = images.grey_matter->value_at_world(sample.world, gm_inverse, 0.0);
            sample.grey_matter_mm3 = std::isfinite(gm) && gm > 0 ? gm * voxel_volume : 0.0;
        }
        if (images.density != nullptr) {
            const double d = images.density->value_at_world(sample.world, density_inverse, nan);
            sample.density = std::isfinite(d) ? d : nan;
        }
        visit(sample);
    });
    if (labelled == 0)
        throw std::runtime_error("--atlas " + atlas.path + ": no labelled voxels (every value is 0); allowed: an "
            "atlas with integer labels > 0 on the brain");
}

struct Accumulator {
    std::map<std::int64_t, std::uint64_t> label_counts;
    double sum_x = 0, sum_y = 0, sum_z = 0;
    double grey_matter = 0;
    double density_sum = 0;
    std::uint64_t density_samples = 0;
    std::uint64_t atlas_voxels = 0;

    void add(const AtlasSample& s)
    {
        ++label_counts[s.label];
        sum_x += s.world[0];
        sum_y += s.world[1];
        sum_z += s.world[2];
        grey_matter += s.grey_matter_mm3;
        if (std::isfinite(s.density)) {
            density_sum += s.density;
            ++density_samples;
        }
        ++atlas_voxels;
    }
    // Most frequent label; on a tie the smallest (std::map iterates ascending).
    std::int64_t majority_label() const
    {
        std::int64_t best = 0;
        std::uint64_t best_count = 0;
        for (const auto& [label, count] : label_counts)
            if (count > best_count) {
                best = label;
                best_count = count;
            }
        return best;
    }
    double density() const
    {
        return density_samples > 0 ? density_sum / static_cast<double>(density_samples)
                                   : std::numeric_limits<double>::quiet_NaN();
    }
};

void append(VoxelTable& table, std::int64_t label, const std::array<double, 3>& centre, const Accumulator& a)
{
    table.label.push_back(label);
    table.centre_mm.insert(table.centre_mm.end(), centre.begin(), centre.end());
    table.grey_matter.push_back(a.grey_matter);
    table.density_raw.push_back(a.density());
    table.atlas_voxels.push_back(a.atlas_voxels);
}

void check_has_grey_matter(const VoxelTable& table, const AtlasImages& images)
{
    if (table.size() == 0)
        throw std::runtime_error("--grey-matter " + images.grey_matter->path
            + ": no grey matter (> 0) at any labelled voxel of --atlas " + images.atlas->path
            + "; allowed: a map on the atlas's brain (values > 0 where there is grey matter)");
}

} // namespace

VoxelTable resample_atlas(const AtlasImages& images, double voxel_mm)
{
    if (!(voxel_mm > 0) || !std::isfinite(voxel_mm))
        throw std::invalid_argument("resample_atlas: voxel_mm must be > 0");
    std::unordered_map<std::uint64_t, Accumulator> cubes;
    for_each_atlas_sample(images, [&](const AtlasSample& s) {
        try {
            cubes[grid_cube_key(s.world, voxel_mm)].add(s);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error("--atlas " + images.atlas->path + ": " + e.what());
        }
    });

    struct Entry {
        std::int64_t label;
        std::uint64_t key; // z-major packing: ordering by key = ordering by (z, y, x)
        const Accumulator* accumulator;
    };
    std::vector<Entry> entries;
    entries.reserve(cubes.size());
    for (const auto& [key, accumulator] : cubes)
        if (accumulator.grey_matter > 0)
            entries.push_back({ accumulator.majority_label(), key, &accumulator });
    std::sort(entries.begin(), entries.end(),
        [](const Entry& a, const Entry& b) { return a.label != b.label ? a.label < b.label : a.key < b.key; });

    VoxelTable table;
    table.voxel_mm = voxel_mm;
    for (const Entry& e : entries)
        append(table, e.label, grid_cube_centre(e.key, voxel_mm), *e.accumulator);
    if (images.grey_matter != nullptr)
        check_has_grey_matter(table, images);
    return table;
}

VoxelTable atlas_regions(const AtlasImages& images)
{
    std::map<std::int64_t, Accumulator> regions;
    for_each_atlas_sample(images, [&](const AtlasSample& s) { regions[s.label].add(s); });
    VoxelTable table;
    table.voxel_mm = 0;
    for (const auto& [label, a] : regions) {
        if (!(a.grey_matter > 0))
            continue;
        const double n = static_cast<double>(a.atlas_voxels);
        append(table, label, { a.sum_x / n, a.sum_y / n, a.sum_z / n }, a);
    }
    if (images.grey_matter != nullptr)
        check_has_grey_matter(table, images);
    return table;
}

} // namespace dtb::brain
