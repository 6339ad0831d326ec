#pragma once
// Defaults and semantic checks for a parsed Model. After apply_model_defaults
// every `optional` field of the schema is set (and `scale` has been applied to
// sizes and counts), so the engine reads values without re-deciding defaults.
#include <string>

#include "dtb/sim/v1/model.pb.h"
#include "sim/model_error.hpp"

namespace dtb::sim {

/// Fills every unset optional field with its documented default (the values
/// in the comments of model.proto) and applies `scale`, then sets `scale` to 1
/// so that applying the defaults again changes nothing. Throws ModelError
/// naming `source_name` if `scale` is out of (0, 1e6] or scaling overflows.
void apply_model_defaults(v1::Model& model, const std::string& source_name = "<model>");

/// Checks ranges and references of a defaulted model; throws ModelError
/// naming `source_name`, the field path and the allowed range.
void validate_model(const v1::Model& model, const std::string& source_name);

} // namespace dtb::sim
