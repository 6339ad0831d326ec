#include "partition_command.hpp"

#include <cstdio>

#include "comm/partition_plan.hpp"
#include "sim/model_loader.hpp"

namespace dtb::app {

int partition_command(const PartitionOptions& options)
{
    try {
        const auto model = sim::load_model_file(options.model_path);
        const auto plan = comm::plan_partition(model, options.ranks, options.rate_hz, options.model_path);
        std::printf("partition of %s over %d ranks (balanced on neuron updates + expected synaptic events)\n",
            options.model_path.c_str(), options.ranks);
        std::fputs(plan.table().c_str(), stdout);
        return 0;
    } catch (const sim::ModelError& e) {
        std::fprintf(stderr, "dtb: error: %s\n", e.what());
        return 2;
    }
}

} // namespace dtb::app
