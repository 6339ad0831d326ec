#pragma once
// What a line of a job's log (the stderr and stdout of `dtb`) says about
// the job: its network is built, it progressed, or it failed. Progress comes
// in the format `dtb run` prints when stderr is not a terminal:
//   "simulate  40%  t = 200.0 / 500.0 ms  rtf 5.77  eta 2 s"
// and as the line `dtb assimilate` prints after each TR:
//   "dtb: TR 3/12 1.25 s  g_ampa_E mean 0.0041 spread 0.0006"
// (phase "assimilate", fraction TRs done / TRs, the ETA from the TR's time;
// no simulated or total ms).
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
    std::string phase;       // "warm-up", "simulate", "assimilate"
    double fraction = 0;     // 0..1
    double simulated_ms = 0;
    double total_ms = 0;
    double real_time_factor = 0;
    double eta_s = 0;
    std::string message;     // the error text
};

JobLogLine parse_job_log_line(const std::string& line);

} // namespace dtb::service
