#pragma once
// Writes a message (a dtb.sim.v1 model, a dtb.assimilation.v1 config) as a
// file that sim/model_loader reads back to the same message: JSON-style flow
// YAML with the schema's field names, only the fields that are set,
// integers as plain numbers (protobuf's own JSON printer quotes 64-bit
// integers, which the strict loader rejects), doubles in shortest round-trip
// form, and YAML's .inf/.nan where JSON has no spelling.
#include <string>

#include <google/protobuf/message.h>

namespace dtb::service {

std::string model_file_text(const google::protobuf::Message& message);

} // namespace dtb::service
