#pragma once
// Reads a model file (YAML or JSON; JSON is parsed as YAML) into the
// dtb.sim.v1.Model message, strictly: unknown keys, wrong types and
// malformed text are ModelErrors naming the file and the field path.
#include <string>

#include <google/protobuf/message.h>

#include "dtb/sim/v1/model.pb.h"
#include "sim/model_error.hpp"

namespace dtb::sim {

/// Parses `text` (YAML or JSON) into a Model. `source_name` is used in errors.
/// Does not apply defaults or validate ranges.
v1::Model parse_model_text(const std::string& text, const std::string& source_name);

/// Parses `text` (YAML or JSON, one document, a mapping at the top level)
/// into any message `out` with the same strict rules as model files (unknown
/// keys, wrong types, duplicate keys are ModelErrors naming `source_name` and
/// the field path). Does not apply defaults or validate ranges.
void parse_yaml_message(const std::string& text, const std::string& source_name, google::protobuf::Message& out);

/// Reads, parses, fills defaults (apply_model_defaults) and validates
/// (validate_model) a model file. Throws ModelError on any problem.
v1::Model load_model_file(const std::string& path);

} // namespace dtb::sim
