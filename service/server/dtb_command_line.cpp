#include "service/server/dtb_command_line.hpp"

#include <sstream>
#include <stdexcept>

#include "service/server/job_directory_layout.hpp"

namespace dtb::service {

namespace {

std::string number_text(double value)
{
    std::ostringstream text;
    text.precision(17);
    text << value;
    return text.str();
}

std::vector<std::string> simulation_arguments(const v1::SimulationJob& simulation, const std::string& job_directory)
{
    std::vector<std::string> arguments{"run", job_model_path(job_directory), "--out", job_directory};
    if (simulation.warmup_ms() > 0)
        arguments.insert(arguments.end(), {"--warmup-ms", number_text(simulation.warmup_ms())});
    return arguments;
}

// Options left unset in the spec are left off, so `dtb build-brain` applies
// its own defaults. Values are attached with '=' so that none can be taken
// for an option.
std::vector<std::string> brain_build_arguments(
    const v1::BrainBuildJob& build, const std::string& job_directory, const JobInputs& inputs)
{
    std::vector<std::string> arguments{"build-brain", "--atlas=" + inputs.atlas};
    const auto add = [&](const char* option, const std::string& value) {
        arguments.push_back(std::string(option) + "=" + value);
    };
    if (!inputs.grey_matter.empty())
        add("--grey-matter", inputs.grey_matter);
    if (!inputs.density.empty())
        add("--density", inputs.density);
    if (!inputs.connectivity.empty())
        add("--connectivity", inputs.connectivity);
    add("--neurons", std::to_string(build.neurons()));
    if (build.has_in_degree())
        add("--in-degree", std::to_string(build.in_degree()));
    if (build.regions())
        arguments.emplace_back("--regions");
    if (build.has_voxel_mm())
        add("--voxel-mm", number_text(build.voxel_mm()));
    if (build.has_velocity())
        add("--velocity", number_text(build.velocity()));
    if (build.has_lambda())
        add("--lambda", number_text(build.lambda()));
    if (build.has_max_sources())
        add("--max-sources", std::to_string(build.max_sources()));
    if (!build.name().empty())
        add("--name", build.name());
    arguments.insert(arguments.end(), {"--out", job_directory});
    return arguments;
}

} // namespace

std::vector<std::string> dtb_arguments(const v1::Job& job, const std::string& job_directory, const JobInputs& inputs)
{
    const v1::JobSpec& spec = job.spec();
    switch (spec.kind_case()) {
    case v1::JobSpec::kSimulation:
        return simulation_arguments(spec.simulation(), job_directory);
    case v1::JobSpec::kBrainBuild:
        return brain_build_arguments(spec.brain_build(), job_directory, inputs);
    case v1::JobSpec::kAssimilation:
        return {"assimilate", job_config_path(job_directory), "--out", job_directory};
    default:
        throw std::runtime_error("job " + job.id() + " has no job kind (simulation, brain_build, assimilation)");
    }
}

} // namespace dtb::service
