#pragma once
// The basic view of a job: its record without the (possibly large) model,
// keeping only the model's name. Used by ListJobs and WatchJob.
#include "dtb/v1/job.pb.h"

namespace dtb::service {

inline void reduce_to_basic_view(v1::Job& job)
{
    if (!job.spec().has_simulation() || !job.spec().simulation().has_model())
        return;
    auto* model = job.mutable_spec()->mutable_simulation()->mutable_model();
    std::string name = model->name();
    model->Clear();
    model->set_name(std::move(name));
}

} // namespace dtb::service
