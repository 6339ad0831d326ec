#pragma once
// `dtb run MODEL --out DIR`: simulate a model file, on one process or split
// over the ranks of `comm`, and write spikes.h5, rates.h5 and summary.json
// into DIR (rank 0 writes; the files are the same for any rank count).
#include <cstdint>
#include <optional>
#include <string>

#include "comm/communicator.hpp"

namespace dtb::app {

struct RunOptions {
    std::string model_path;
    std::string out_dir;
    std::optional<double> t_stop_ms;
    std::optional<std::uint64_t> seed;
    std::optional<double> scale;
    double warmup_ms = 0;
    bool no_spikes = false;
    std::string exchange = "direct"; // direct | two-level
    int ranks_per_node = 0;          // 0: real nodes
    // Test hook: rank `fault_rank` throws at simulated time `fault_at_ms`.
    int fault_rank = -1;
    double fault_at_ms = 0;
};

/// Runs and returns the process exit code: 0 done, 2 bad model or options
/// (nothing created), 1 failure while running, 128+signal when interrupted.
/// A failure on one rank of several ends the whole job (Communicator::abort).
int run_command(const RunOptions& options, comm::Communicator& comm);

} // namespace dtb::app
