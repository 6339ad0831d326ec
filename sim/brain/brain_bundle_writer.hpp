#pragma once
// Writes a built brain model as a bundle directory: model.yaml, brain.h5
// (sim/brain_arrays.hpp) and report.txt, with nothing half-written on error.
#include <string>

#include "sim/brain/brain_builder.hpp"

namespace dtb::brain {

/// Writes OUT_DIR/{model.yaml, brain.h5, report.txt}.
/// - OUT_DIR does not exist: the bundle is written into a sibling temporary
///   directory ".NAME.partial-PID" that is renamed onto OUT_DIR at the end.
/// - OUT_DIR is a directory: each file is written as ".FILE.partial-PID"
///   inside it and the three are renamed when all are complete (other files
///   there are left alone; earlier bundle files are replaced).
/// On error the temporary files/directory are removed. Throws
/// std::runtime_error naming the path.
void write_brain_bundle(const BrainBuild& build, const std::string& out_dir);

} // namespace dtb::brain
