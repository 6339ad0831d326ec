#include "run_summary.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

namespace dtb::app {

namespace {
// JSON has no NaN: an undefined statistic (e.g. CV without ISIs) is null.
nlohmann::json number_or_null(double value)
{
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}
} // namespace

std::string summary_json(const RunSummary& s)
{
    nlohmann::json j;
    j["model"] = s.model;
    j["neurons"] = s.neurons;
    j["synapses"] = s.synapses;
    j["dt_ms"] = s.dt_ms;
    j["interval_ms"] = s.interval_ms;
    j["t_stop_ms"] = s.t_stop_ms;
    j["warmup_ms"] = s.warmup_ms;
    j["seed"] = s.seed;
    j["ranks"] = s.ranks;
    j["exchange"] = s.exchange;
    j["backend"] = s.backend;
    j["build_s"] = s.build_s;
    j["sim_s"] = s.sim_s;
    j["rtf"] = number_or_null(s.t_stop_ms > 0 ? s.sim_s / (s.t_stop_ms * 1e-3) : NAN);
    j["synapse_bytes"] = s.synapse_bytes;
    j["bytes_per_synapse"] = number_or_null(
        s.synapses > 0 ? static_cast<double>(s.synapse_bytes) / static_cast<double>(s.synapses) : NAN);
    j["peak_rss_bytes"] = s.peak_rss_bytes;
    j["spike_count"] = s.spike_count;
    j["spikes_digest"] = s.spikes_digest;
    j["populations"] = nlohmann::json::array();
    for (const auto& p : s.populations)
        j["populations"].push_back(
            {{"name", p.name}, {"size", p.size}, {"rate_hz", p.rate_hz}, {"cv_isi", number_or_null(p.cv_isi)}});
    j["per_rank"] = nlohmann::json::array();
    for (const auto& r : s.per_rank)
        j["per_rank"].push_back({{"rank", r.rank}, {"neurons", r.neurons}, {"synapses", r.synapses},
            {"build_s", r.build_s}, {"update_s", r.update_s}, {"route_s", r.route_s}, {"mpi_s", r.mpi_s},
            {"deliver_s", r.deliver_s}, {"record_s", r.record_s}, {"bytes_sent", r.bytes_sent},
            {"messages_sent", r.messages_sent}, {"intervals", r.intervals},
            {"peak_rss_bytes", r.peak_rss_bytes}, {"input_buffer_bytes", r.input_buffer_bytes},
            {"kernel_launches_per_step", r.kernel_launches_per_step}, {"host_syncs_per_step", r.host_syncs_per_step}});
    return j.dump(2) + "\n";
}

std::uint64_t peak_rss_bytes()
{
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024u; // Linux reports KiB
}

} // namespace dtb::app
