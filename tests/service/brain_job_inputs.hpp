#pragma once
// Inputs of the brain-build and assimilation service tests: a synthetic
// 12^3 mm atlas of four regions with a TVB connectome, written into a
// server's input directory, and the specs of a tiny brain build (400
// neurons, one voxel per region) and a short twin assimilation over it.
#include <filesystem>
#include <string>

#include "dtb/v1/job_spec.pb.h"

namespace dtb::service::testing {

/// Writes atlases/four_regions.nii.gz and tvb/{weights,tract_lengths,centres}.txt
/// below `input_directory`.
void write_brain_inputs(const std::filesystem::path& input_directory);

/// build-brain of those inputs, naming them relative to the input directory.
v1::JobSpec brain_build_spec();

/// The `dtb build-brain` arguments of brain_build_spec() for inputs in
/// `input_directory` and the bundle in `out`.
std::string brain_build_command_arguments(
    const std::filesystem::path& input_directory, const std::filesystem::path& out);

/// The twin-experiment config (YAML) for the model at `model`.
std::string twin_config_yaml(const std::string& model);

} // namespace dtb::service::testing
