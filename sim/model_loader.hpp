#pragma once
// Reads a model file (YAML or JSON; JSON is parsed as YAML) into the
// dtb.sim.v1.Model message, strictly: unknown keys, wrong types and
// malformed text are ModelErrors naming the file and the field path.
#include <string>

#include "dtb/sim/v1/model.pb.h"
#include "sim/model_error.hpp"

namespace dtb::sim {

/// Parses `text` (YAML or JSON) into a Model. `source_name` is used in errors.
/// Does not apply defaults or validate ranges.
v1::Model parse_model_text(const std::string& text, const std::string& source_name);

/// Reads, parses, fills defaults (apply_model_defaults) and validates
/// (validate_model) a model file. Throws ModelError on any problem.
v1::Model load_model_file(const std::string& path);

} // namespace dtb::sim
