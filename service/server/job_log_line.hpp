#pragma once
// What a line of a job's log (the stderr and stdout of `dtb run`) says about
// the job: its network is built, it progressed, or it failed. The progress
// format is the one `dtb run` prints when stderr is not a terminal:
//   "simulate  40%  t = 200.0 / 500.0 ms  rtf 5.77  eta 2 s"
#include <string>

namespace dtb::service {

struct JobLogLine {
    enum class Kind {
        Other,
        NetworkBuilt, // "dtb: N neurons, M synapses, built in ..."
        Progress,     // a progress line (fields below)
        Error,        // "dtb: error: ..." (message below)
    };
    Kind kind = Kind::Other;
    std::string phase;       // "warm-up", "simulate"
    double fraction = 0;     // 0..1
    double simulated_ms = 0;
    double total_ms = 0;
    double real_time_factor = 0;
    double eta_s = 0;
    std::string message;     // the error text
};

JobLogLine parse_job_log_line(const std::string& line);

} // namespace dtb::service
