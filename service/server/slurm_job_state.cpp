#include "service/server/slurm_job_state.hpp"

#include <map>

namespace dtb::service {

std::string slurm_state_name(const std::string& raw_state)
{
    std::string name = raw_state.substr(0, raw_state.find(' '));
    // scontrol may append flags to a state in some versions ("RUNNING+...").
    name = name.substr(0, name.find('+'));
    return name;
}

SlurmJobState map_slurm_job_state(const std::string& raw_state)
{
    using Phase = SlurmJobState::Phase;
    struct Mapping {
        Phase phase;
        v1::JobState final_state;
        const char* failure_reason;
    };
    static const std::map<std::string, Mapping> mappings = {
        {"PENDING", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"REQUEUED", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"REQUEUE_FED", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"REQUEUE_HOLD", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"RESV_DEL_HOLD", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"CONFIGURING", {Phase::Waiting, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"RUNNING", {Phase::Running, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"SUSPENDED", {Phase::Running, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"STOPPED", {Phase::Running, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"RESIZING", {Phase::Running, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"SIGNALING", {Phase::Running, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"COMPLETING", {Phase::Ending, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"STAGE_OUT", {Phase::Ending, v1::JOB_STATE_UNSPECIFIED, ""}},
        {"COMPLETED", {Phase::Ended, v1::SUCCEEDED, ""}},
        {"CANCELLED", {Phase::Ended, v1::CANCELLED, ""}},
        {"TIMEOUT", {Phase::Ended, v1::TIMED_OUT, ""}},
        {"DEADLINE", {Phase::Ended, v1::TIMED_OUT, ""}},
        {"FAILED", {Phase::Ended, v1::FAILED, ""}},
        {"NODE_FAIL", {Phase::Ended, v1::FAILED, "Slurm ended it: a node of its allocation failed (NODE_FAIL)"}},
        {"OUT_OF_MEMORY", {Phase::Ended, v1::FAILED, "Slurm ended it: it ran out of memory (OUT_OF_MEMORY)"}},
        {"BOOT_FAIL", {Phase::Ended, v1::FAILED, "Slurm could not boot its nodes (BOOT_FAIL)"}},
        {"PREEMPTED", {Phase::Ended, v1::FAILED, "Slurm preempted it (PREEMPTED)"}},
        {"SPECIAL_EXIT", {Phase::Ended, v1::FAILED, "Slurm ended it with SPECIAL_EXIT"}},
        {"REVOKED", {Phase::Ended, v1::FAILED, "Slurm revoked it (REVOKED, a federation sibling started it)"}},
    };
    SlurmJobState state;
    const auto found = mappings.find(slurm_state_name(raw_state));
    if (found == mappings.end())
        return state;
    state.phase = found->second.phase;
    state.final_state = found->second.final_state;
    state.failure_reason = found->second.failure_reason;
    return state;
}

} // namespace dtb::service
