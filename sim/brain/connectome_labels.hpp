#pragma once
// Which row of a region connectome belongs to which atlas label.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dtb::brain {

struct ConnectomeLabelMatch {
    std::map<std::int64_t, std::size_t> row_of_label; // atlas label -> connectome row
    std::vector<std::string> unused;                  // connectome labels with no voxel in the model
    bool matched_by_name = false;
};

/// A connectome label that is an integer matches the atlas label with that
/// value; any other label matches the atlas label whose name (from the
/// atlas's label table) is equal to it. Every label in `model_labels` must
/// be found: otherwise std::runtime_error naming the connectivity file and
/// listing up to 10 missing labels (with names where known).
ConnectomeLabelMatch match_connectome_labels(const std::vector<std::string>& connectome_labels,
    const std::vector<std::int64_t>& model_labels, const std::map<std::int64_t, std::string>& atlas_names,
    const std::string& connectivity_path, const std::string& atlas_path);

} // namespace dtb::brain
