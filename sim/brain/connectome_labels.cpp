#include "sim/brain/connectome_labels.hpp"

#include <cstdlib>
#include <set>
#include <stdexcept>

namespace dtb::brain {

namespace {

bool parse_integer(const std::string& text, std::int64_t& value)
{
    if (text.empty())
        return false;
    char* end = nullptr;
    const long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0')
        return false;
    value = parsed;
    return true;
}

} // namespace

ConnectomeLabelMatch match_connectome_labels(const std::vector<std::string>& connectome_labels,
    const std::vector<std::int64_t>& model_labels, const std::map<std::int64_t, std::string>& atlas_names,
    const std::string& connectivity_path, const std::string& atlas_path)
{
    std::map<std::string, std::int64_t> label_of_name;
    for (const auto& [label, name] : atlas_names)
        label_of_name.emplace(name, label);
    ConnectomeLabelMatch match;
    std::map<std::int64_t, std::size_t> row_of_any_label;
    for (std::size_t row = 0; row < connectome_labels.size(); ++row) {
        std::int64_t label = 0;
        if (!parse_integer(connectome_labels[row], label)) {
            const auto found = label_of_name.find(connectome_labels[row]);
            if (found == label_of_name.end())
                continue; // reported as unused below
            label = found->second;
            match.matched_by_name = true;
        }
        if (!row_of_any_label.emplace(label, row).second)
            throw std::runtime_error("--connectivity " + connectivity_path + ": rows " + std::to_string(row_of_any_label[label] + 1)
                + " and " + std::to_string(row + 1) + " both stand for atlas label " + std::to_string(label)
                + "; allowed: one row per region");
    }
    const std::set<std::int64_t> wanted(model_labels.begin(), model_labels.end());
    std::vector<std::string> missing;
    for (std::int64_t label : wanted) {
        const auto found = row_of_any_label.find(label);
        if (found != row_of_any_label.end()) {
            match.row_of_label.emplace(label, found->second);
            continue;
        }
        const auto name = atlas_names.find(label);
        missing.push_back(std::to_string(label) + (name != atlas_names.end() ? " (" + name->second + ")" : ""));
    }
    if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
            list += (i ? ", " : "") + missing[i];
        if (missing.size() > 10)
            list += ", ... (" + std::to_string(missing.size()) + " in all)";
        throw std::runtime_error("--connectivity " + connectivity_path + ": " + std::to_string(missing.size())
            + " atlas label(s) of --atlas " + atlas_path + " missing from the connectome: " + list
            + "; allowed: a connectome with a row and column for every atlas label (integer labels, or the region "
              "names of the atlas's label table)");
    }
    std::set<std::size_t> used;
    for (const auto& [label, row] : match.row_of_label)
        used.insert(row);
    for (std::size_t row = 0; row < connectome_labels.size(); ++row)
        if (!used.count(row))
            match.unused.push_back(connectome_labels[row]);
    return match;
}

} // namespace dtb::brain
