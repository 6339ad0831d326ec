#include "service/common/job_kind_text.hpp"

namespace dtb::service {

std::string job_kind_name(const v1::JobSpec& spec)
{
    switch (spec.kind_case()) {
    case v1::JobSpec::kSimulation:
        return "simulation";
    case v1::JobSpec::kBrainBuild:
        return "brain_build";
    case v1::JobSpec::kAssimilation:
        return "assimilation";
    default:
        return "-";
    }
}

std::string job_subject(const v1::JobSpec& spec)
{
    switch (spec.kind_case()) {
    case v1::JobSpec::kSimulation:
        return spec.simulation().model().name();
    case v1::JobSpec::kBrainBuild:
        return spec.brain_build().atlas();
    case v1::JobSpec::kAssimilation:
        return spec.assimilation().config().model();
    default:
        return "-";
    }
}

} // namespace dtb::service
