#pragma once
// `dtb partition MODEL --ranks N`: print the partition plan without simulating.
#include <string>

namespace dtb::app {

struct PartitionOptions {
    std::string model_path;
    int ranks = 1;
    double rate_hz = 5.0;
};

/// Exit code: 0, or 2 for a bad model.
int partition_command(const PartitionOptions& options);

} // namespace dtb::app
