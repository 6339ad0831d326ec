#include "brain_job_inputs.hpp"

#include <fstream>

#include "sim/brain/nifti_volume.hpp"
#include "sim/model_loader.hpp"

namespace dtb::service::testing {

namespace fs = std::filesystem;

void write_brain_inputs(const fs::path& input_directory)
{
    // 1 mm voxels at world x = i - 3; label 1 + (x >= 3) + 2 (y >= 3).
    brain::NiftiVolume atlas;
    atlas.nx = atlas.ny = atlas.nz = 12;
    atlas.voxel_to_world.m = {1, 0, 0, -3, 0, 1, 0, -3, 0, 0, 1, -3};
    atlas.values.resize(12 * 12 * 12);
    for (int k = 0; k < 12; ++k)
        for (int j = 0; j < 12; ++j)
            for (int i = 0; i < 12; ++i)
                atlas.values[static_cast<std::size_t>(i + 12 * (j + 12 * k))]
                    = 1 + (i - 3 >= 3 ? 1 : 0) + 2 * (j - 3 >= 3 ? 1 : 0);
    fs::create_directories(input_directory / "atlases");
    brain::write_nifti_volume((input_directory / "atlases" / "four_regions.nii.gz").string(), atlas, 1, true);
    fs::create_directories(input_directory / "tvb");
    std::ofstream(input_directory / "tvb" / "weights.txt") << "5 1 2 3\n1 5 1 1\n0.5 0 5 4\n2 2 2 5\n";
    std::ofstream(input_directory / "tvb" / "tract_lengths.txt") << "0 30 40 50\n30 0 35 45\n40 35 0 25\n50 45 25 0\n";
    std::ofstream(input_directory / "tvb" / "centres.txt") << "1 0 0 0\n2 6 0 0\n3 0 6 0\n4 6 6 0\n";
}

v1::JobSpec brain_build_spec()
{
    v1::JobSpec spec;
    auto* build = spec.mutable_brain_build();
    build->set_atlas("atlases/four_regions.nii.gz");
    build->set_connectivity("tvb");
    build->set_neurons(400);
    build->set_in_degree(20);
    build->set_regions(true);
    build->set_velocity(5);
    build->set_name("service_brain");
    return spec;
}

std::string brain_build_command_arguments(const fs::path& input_directory, const fs::path& out)
{
    const fs::path inputs = fs::canonical(input_directory);
    return "build-brain --atlas " + (inputs / "atlases" / "four_regions.nii.gz").string() + " --connectivity "
        + (inputs / "tvb").string()
        + " --neurons 400 --in-degree 20 --regions --velocity 5 --name service_brain --out " + out.string();
}

std::string twin_config_yaml(const std::string& model)
{
    return "model: \"" + model + "\"\n"
           "tr_ms: 200\n"
           "trs: 3\n"
           "members: 3\n"
           "seed: 5\n"
           "estimate:\n"
           "  - {quantity: g_ampa, population: E, low: 0.001, high: 0.008, prior_low: 0.002, prior_high: 0.006,\n"
           "     truth: [0.0032, 0.0040, 0.0046, 0.0036]}\n";
}

} // namespace dtb::service::testing
