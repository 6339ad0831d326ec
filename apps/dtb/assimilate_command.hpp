#pragma once
// `dtb assimilate CONFIG --out DIR`: HMDA data assimilation of BOLD
// (docs/assimilation.md). With no `bold` file in the config it is a twin
// experiment: the observations are simulated first from the true values.
// Writes DIR/assimilation.h5 and DIR/summary.json (and, for a twin,
// DIR/observed_bold.h5); rank 0 writes, every file under a temporary name.
#include <optional>
#include <string>

#include "comm/communicator.hpp"

namespace dtb::app {

struct AssimilateOptions {
    std::string config_path;
    std::string out_dir;
    std::optional<std::size_t> members; // overrides the config
    std::optional<std::size_t> trs;
    bool quiet = false;                 // no progress lines
};

/// Returns the exit code: 0 done, 2 bad config/observations (nothing
/// written), 1 failure while running.
int assimilate_command(const AssimilateOptions& options, comm::Communicator& world);

} // namespace dtb::app
