#include "assimilation/assimilation_output.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "assimilation/bold_statistics.hpp"
#include "assimilation/hdf5_datasets.hpp"
#include "sim/staged_file.hpp"

namespace dtb::assimilation {

namespace {

nlohmann::json number_or_null(double x)
{
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json numbers(const std::vector<double>& values)
{
    auto out = nlohmann::json::array();
    for (const double x : values)
        out.push_back(number_or_null(x));
    return out;
}

} // namespace

std::string write_assimilation_outputs(const std::string& out_dir, const AssimilationSetup& setup,
    const AssimilationResult& result, const RunFacts& facts)
{
    namespace fs = std::filesystem;
    const std::size_t V = result.regions, T = result.trs;
    const std::size_t first = setup.warmup_trs;

    sim::StagedFile h5_file((fs::path(out_dir) / "assimilation.h5").string());
    {
        const std::string name = h5_file.final_path();
        const auto file = hdf5::create_file(h5_file.temp_path());
        hdf5::write_doubles(file.get(), "/bold/observed", result.observed, {V, T}, name);
        hdf5::write_doubles(file.get(), "/bold/forecast", result.forecast, {V, T}, name);
        hdf5::write_doubles(file.get(), "/bold/analysis", result.analysis, {V, T}, name);
        hdf5::write_doubles(file.get(), "/bold/replay", result.replay, {V, T}, name);
        {
            hdf5::Handle group(H5Gopen2(file.get(), "/bold", H5P_DEFAULT), H5Gclose);
            hdf5::write_attribute(group.get(), "tr_ms", setup.tr_ms, name);
            hdf5::write_attribute(group.get(), "warmup_trs", static_cast<double>(setup.warmup_trs), name);
        }
        for (std::size_t k = 0; k < setup.estimate.size(); ++k) {
            const auto& h = setup.estimate[k];
            const std::string base = "/hyperparameters/" + h.label;
            hdf5::write_doubles(file.get(), base + "/forecast_mean", result.forecast_theta[k].mean, {T, V}, name);
            hdf5::write_doubles(file.get(), base + "/forecast_spread", result.forecast_theta[k].spread, {T, V}, name);
            hdf5::write_doubles(file.get(), base + "/analysis_mean", result.analysis_theta[k].mean, {T, V}, name);
            hdf5::write_doubles(file.get(), base + "/analysis_spread", result.analysis_theta[k].spread, {T, V}, name);
            if (!h.truth.empty())
                hdf5::write_doubles(file.get(), base + "/truth", h.truth, {V}, name);
            hdf5::Handle group(H5Gopen2(file.get(), base.c_str(), H5P_DEFAULT), H5Gclose);
            hdf5::write_attribute(group.get(), "low", h.bounds.low, name);
            hdf5::write_attribute(group.get(), "high", h.bounds.high, name);
        }
    }

    nlohmann::json summary;
    summary["config"] = setup.config_path;
    summary["model"] = setup.model_path;
    summary["members"] = setup.members;
    summary["trs"] = T;
    summary["warmup_trs"] = setup.warmup_trs;
    summary["tr_ms"] = setup.tr_ms;
    summary["regions"] = V;
    summary["ranks"] = facts.ranks;
    summary["member_groups"] = facts.groups;
    summary["rho"] = setup.rho;
    summary["observation_noise"] = setup.observation_noise;
    summary["random_walk_variance"] = setup.random_walk_variance;
    summary["twin"] = setup.twin();
    summary["wall_s"] = facts.wall_s;
    summary["truth_s"] = facts.truth_s;
    summary["assimilation_s"] = result.assimilation_s;
    summary["replay_s"] = result.replay_s;
    summary["construction_s"] = result.construction_s;
    // Per TR: the filter's time without building the members.
    const double filter_s = result.assimilation_s - result.construction_s;
    summary["time_per_tr_s"] = T ? filter_s / double(T) : 0.0;
    // One member's share on its group: a group runs its members one after another.
    summary["time_per_tr_member_s"] = T ? filter_s / double(T) / double(setup.members) * facts.groups : 0.0;
    summary["compared_trs"] = T - first;
    const std::pair<const char*, const std::vector<double>*> series[] = {
        {"forecast", &result.forecast}, {"analysis", &result.analysis}, {"replay", &result.replay}};
    for (const auto& [label, values] : series) {
        const auto per_region = region_correlations(result.observed, *values, V, T, first);
        summary[std::string(label) + "_bold_corr"] = number_or_null(finite_mean(per_region));
        summary[std::string(label) + "_fc_corr"] = number_or_null(fc_correlation(result.observed, *values, V, T, first));
        summary["region_bold_corr"][label] = numbers(per_region);
    }
    double error_sum = 0;
    std::size_t error_count = 0;
    for (std::size_t k = 0; k < setup.estimate.size(); ++k) {
        const auto& h = setup.estimate[k];
        std::vector<double> final_mean(V), final_spread(V);
        for (std::size_t v = 0; v < V; ++v) {
            final_mean[v] = result.analysis_theta[k].mean[(T - 1) * V + v];
            final_spread[v] = result.analysis_theta[k].spread[(T - 1) * V + v];
        }
        auto& entry = summary["hyperparameters"][h.label];
        entry["low"] = h.bounds.low;
        entry["high"] = h.bounds.high;
        entry["final_mean"] = numbers(final_mean);
        entry["final_spread"] = numbers(final_spread);
        if (!h.truth.empty()) {
            entry["truth"] = numbers(h.truth);
            std::vector<double> relative(V, std::nan(""));
            for (std::size_t v = 0; v < V; ++v)
                if (h.active[v]) {
                    relative[v] = std::fabs(final_mean[v] - h.truth[v]) / std::fabs(h.truth[v]);
                    error_sum += relative[v];
                    ++error_count;
                }
            entry["rel_error"] = numbers(relative);
            // What a filter that learned nothing would score: the prior mean.
            const double prior_mean = 0.5 * (h.prior_low + h.prior_high);
            double prior_sum = 0;
            std::size_t prior_n = 0;
            for (std::size_t v = 0; v < V; ++v)
                if (h.active[v]) {
                    prior_sum += std::fabs(prior_mean - h.truth[v]) / std::fabs(h.truth[v]);
                    ++prior_n;
                }
            entry["prior_rel_error"] = prior_n ? prior_sum / double(prior_n) : 0.0;
        }
    }
    if (error_count > 0)
        summary["param_rel_error"] = error_sum / double(error_count);
    const std::string text = summary.dump(2) + "\n";
    sim::StagedFile json_file((fs::path(out_dir) / "summary.json").string());
    {
        std::ofstream out(json_file.temp_path(), std::ios::binary | std::ios::trunc);
        out << text;
        if (!out)
            throw std::runtime_error("cannot write " + json_file.final_path());
    }
    h5_file.commit();
    json_file.commit();
    return text;
}

} // namespace dtb::assimilation
