#pragma once
// Test helper: a defaulted, validated model from inline YAML.
#include <string>

#include "sim/model_loader.hpp"
#include "sim/model_validation.hpp"

namespace dtb::test {

inline sim::v1::Model model_from_yaml(const std::string& yaml)
{
    sim::v1::Model model = sim::parse_model_text(yaml, "test.yaml");
    sim::apply_model_defaults(model, "test.yaml");
    sim::validate_model(model, "test.yaml");
    return model;
}

} // namespace dtb::test
