#pragma once
// `dtb run MODEL --out DIR`: simulate a model file and write spikes.h5,
// rates.h5 and summary.json into DIR.
#include <cstdint>
#include <optional>
#include <string>

namespace dtb::app {

struct RunOptions {
    std::string model_path;
    std::string out_dir;
    std::optional<double> t_stop_ms;
    std::optional<std::uint64_t> seed;
    std::optional<double> scale;
    double warmup_ms = 0;
    bool no_spikes = false;
};

/// Runs and returns the process exit code: 0 done, 2 bad model or options
/// (nothing created), 1 failure while running, 130 interrupted.
int run_command(const RunOptions& options);

} // namespace dtb::app
