#include "service/server/job_spec_files.hpp"

#include "service/server/atomic_file_write.hpp"
#include "service/server/job_directory_layout.hpp"
#include "service/server/model_file_writer.hpp"

namespace dtb::service {

void write_job_spec_files(const v1::Job& job, const std::string& job_directory, const JobInputs& inputs)
{
    const v1::JobSpec& spec = job.spec();
    if (spec.has_simulation()) {
        sim::v1::Model model = spec.simulation().model();
        if (!inputs.brain_arrays.empty())
            model.mutable_brain()->set_arrays(inputs.brain_arrays);
        write_file_atomically(job_model_path(job_directory), model_file_text(model));
    } else if (spec.has_assimilation()) {
        assimilation::v1::Config config = spec.assimilation().config();
        config.set_model(inputs.model);
        config.set_bold(inputs.bold);
        write_file_atomically(job_config_path(job_directory), model_file_text(config));
    }
}

} // namespace dtb::service
