#include "assimilation/bold_simulation.hpp"

#include <cmath>

#include "assimilation/network_replica.hpp"

namespace dtb::assimilation {

namespace {

// Model values where a hyperparameter is not estimated.
std::vector<double> voxel_values(const EstimatedHyperparameter& h, const std::vector<double>& trajectory,
    std::size_t tr, std::size_t V, double model_value)
{
    std::vector<double> out(V, model_value);
    for (std::size_t v = 0; v < V; ++v)
        if (h.active[v])
            out[v] = trajectory[tr * V + v];
    return out;
}

} // namespace

BoldSeries simulate_bold_series(const AssimilationSetup& setup, const std::vector<std::vector<double>>& theta,
    std::size_t trs, std::uint64_t network_seed, EnsembleLayout& layout)
{
    sim::v1::Model model = setup.model;
    if (network_seed != 0)
        model.mutable_simulation()->set_seed(network_seed);
    NetworkReplica replica(model, setup.model_path, setup.arrays, layout.group_comm(), layout.group_mpi());
    const std::size_t V = setup.num_voxels();
    BoldSeries series;
    series.regions = V;
    series.trs = trs;
    series.tr_ms = setup.tr_ms;
    series.values.assign(V * trs, 0);
    const auto tr_ms = static_cast<std::uint64_t>(std::llround(setup.tr_ms));
    for (std::size_t tr = 0; tr < trs; ++tr) {
        for (std::size_t k = 0; k < setup.estimate.size(); ++k) {
            const auto& h = setup.estimate[k];
            replica.set(h.kind, h.population,
                voxel_values(h, theta[k], tr, V, replica.model_value(h.kind, h.population)));
        }
        replica.advance_ms(tr_ms);
        const auto y = replica.balloon().bold();
        for (std::size_t v = 0; v < V; ++v)
            series.values[v * trs + tr] = y[v];
    }
    return series;
}

std::vector<std::vector<double>> truth_trajectory(const AssimilationSetup& setup, std::size_t trs)
{
    std::vector<std::vector<double>> out;
    const std::size_t V = setup.num_voxels();
    for (const auto& h : setup.estimate) {
        std::vector<double> values(trs * V, std::nan(""));
        if (!h.truth.empty())
            for (std::size_t tr = 0; tr < trs; ++tr)
                for (std::size_t v = 0; v < V; ++v)
                    values[tr * V + v] = h.truth[v];
        out.push_back(values);
    }
    return out;
}

} // namespace dtb::assimilation
