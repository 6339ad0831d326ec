#pragma once
// Region names of an atlas from the label table next to it, as MRIcron
// ships them (/usr/share/mricron/templates/aal.nii.txt: "1 Precentral_L 2001",
// i.e. "<voxel value> <name> [anything]" per line).
#include <cstdint>
#include <map>
#include <string>

namespace dtb::brain {

/// The table at "<atlas>.txt" with a trailing ".gz" dropped (aal.nii.gz ->
/// aal.nii.txt), else "<atlas without .nii/.nii.gz>.txt" (aal.txt). Empty when
/// there is none. Lines that do not start with an integer are skipped.
std::map<std::int64_t, std::string> read_atlas_label_names(const std::string& atlas_path);

} // namespace dtb::brain
