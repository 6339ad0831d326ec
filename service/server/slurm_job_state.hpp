#pragma once
// Slurm's job states (squeue/scontrol/sacct "JobState") and what each means
// for a dtb job. The raw state is kept in the job record (Job.batch.state);
// this decides whether the job is still waiting, running, or over, and how
// it ended.
#include <string>

#include "dtb/v1/job.pb.h"

namespace dtb::service {

struct SlurmJobState {
    enum class Phase { Waiting, Running, Ending, Ended, Unknown };
    Phase phase = Phase::Unknown;
    // Ended only: the dtb job state it maps to, and a reason for FAILED ones.
    v1::JobState final_state = v1::JOB_STATE_UNSPECIFIED;
    std::string failure_reason;
};

/// Maps a raw Slurm state. Accepts what scontrol prints ("CANCELLED") and
/// what sacct prints ("CANCELLED by 0"); unknown states map to Unknown, so
/// a newer Slurm's extra state does not end a job by mistake.
///   PENDING, REQUEUED, REQUEUE_FED, REQUEUE_HOLD, RESV_DEL_HOLD, SUSPENDED,
///   STOPPED, CONFIGURING, RESIZING, SIGNALING -> Waiting or Running
///   RUNNING -> Running; COMPLETING, STAGE_OUT -> Ending
///   COMPLETED -> SUCCEEDED; CANCELLED -> CANCELLED; TIMEOUT, DEADLINE ->
///   TIMED_OUT; FAILED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, PREEMPTED,
///   SPECIAL_EXIT, REVOKED -> FAILED (with a reason naming the state).
SlurmJobState map_slurm_job_state(const std::string& raw_state);

/// The state word of a raw state: "CANCELLED by 0" -> "CANCELLED".
std::string slurm_state_name(const std::string& raw_state);

} // namespace dtb::service
