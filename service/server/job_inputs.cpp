#include "service/server/job_inputs.hpp"

namespace dtb::service {

namespace {

using Expect = InputResolver::Expect;

// An optional input: empty stays empty.
std::string resolve_if_set(const std::string& reference, const std::string& field_path, const std::string& owner,
    const InputResolver& resolver, Expect expect = Expect::File)
{
    return reference.empty() ? std::string() : resolver.resolve(reference, field_path, owner, expect);
}

} // namespace

JobInputs resolve_job_inputs(const v1::JobSpec& spec, const std::string& owner, const InputResolver& resolver)
{
    JobInputs inputs;
    switch (spec.kind_case()) {
    case v1::JobSpec::kSimulation:
        inputs.brain_arrays = resolve_if_set(
            spec.simulation().model().brain().arrays(), "spec.simulation.model.brain.arrays", owner, resolver);
        break;
    case v1::JobSpec::kBrainBuild: {
        const auto& build = spec.brain_build();
        inputs.atlas = resolver.resolve(build.atlas(), "spec.brain_build.atlas", owner, Expect::File);
        inputs.grey_matter = resolve_if_set(build.grey_matter(), "spec.brain_build.grey_matter", owner, resolver);
        inputs.density = resolve_if_set(build.density(), "spec.brain_build.density", owner, resolver);
        inputs.connectivity = resolve_if_set(
            build.connectivity(), "spec.brain_build.connectivity", owner, resolver, Expect::FileOrDirectory);
        break;
    }
    case v1::JobSpec::kAssimilation: {
        const auto& config = spec.assimilation().config();
        inputs.model = resolver.resolve(config.model(), "spec.assimilation.config.model", owner, Expect::File);
        inputs.bold = resolve_if_set(config.bold(), "spec.assimilation.config.bold", owner, resolver);
        break;
    }
    default:
        break;
    }
    return inputs;
}

} // namespace dtb::service
