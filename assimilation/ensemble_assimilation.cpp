#include "assimilation/ensemble_assimilation.hpp"
#include "comm/packed_double.hpp"
#include "sim/wall_clock.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>

#include "assimilation/bold_simulation.hpp"
#include "assimilation/ensemble_kalman_filter.hpp"
#include "assimilation/network_replica.hpp"

namespace dtb::assimilation {

namespace {

using comm::bits_of;
using comm::double_of;
using sim::seconds_since;

constexpr std::size_t balloon_fields = 5; // s, f, v, q, y

// Mean and spread (ensemble standard deviation) of one hyperparameter at TR tr.
void record_theta(const AssimilationSetup& setup, const std::vector<std::vector<double>>& theta_log, std::size_t M,
    std::size_t tr, std::vector<HyperparameterTrajectory>& out)
{
    const std::size_t V = setup.num_voxels();
    for (std::size_t k = 0; k < setup.estimate.size(); ++k) {
        const auto& h = setup.estimate[k];
        for (std::size_t v = 0; v < V; ++v) {
            double mean = std::nan(""), spread = std::nan("");
            if (h.active[v]) {
                double sum = 0, sum2 = 0;
                for (std::size_t m = 0; m < M; ++m) {
                    const double x = h.bounds.to_value(theta_log[k][m * V + v]);
                    sum += x;
                    sum2 += x * x;
                }
                mean = sum / double(M);
                spread = std::sqrt(std::max(0.0, (sum2 - double(M) * mean * mean) / double(M - 1)));
            }
            out[k].mean[tr * V + v] = mean;
            out[k].spread[tr * V + v] = spread;
        }
    }
}

} // namespace

AssimilationResult run_assimilation(const AssimilationSetup& setup, const BoldSeries& observed,
    comm::Communicator& world, EnsembleLayout& layout, std::FILE* progress)
{
    const auto start = std::chrono::steady_clock::now();
    const std::size_t V = setup.num_voxels();
    const std::size_t T = observed.trs;
    const std::size_t M = setup.members;
    const std::size_t K = setup.estimate.size();
    const auto tr_ms = static_cast<std::uint64_t>(std::llround(setup.tr_ms));

    AssimilationResult result;
    result.regions = V;
    result.trs = T;
    result.observed = observed.values;
    result.forecast.assign(V * T, 0);
    result.analysis.assign(V * T, 0);
    result.forecast_theta.assign(K, {std::vector<double>(T * V), std::vector<double>(T * V)});
    result.analysis_theta = result.forecast_theta;

    // The same random stream on every rank, drawn in a fixed order.
    std::mt19937_64 rng(setup.seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);

    // theta_log[k][m * V + v]: the prior, uniform in [prior_low, prior_high].
    std::vector<std::vector<double>> theta_log(K, std::vector<double>(M * V, 0));
    for (std::size_t k = 0; k < K; ++k) {
        const auto& h = setup.estimate[k];
        for (std::size_t m = 0; m < M; ++m)
            for (std::size_t v = 0; v < V; ++v)
                theta_log[k][m * V + v]
                    = h.bounds.to_log(h.prior_low + (h.prior_high - h.prior_low) * uniform(rng));
    }

    // This group's members.
    const auto construction_start = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<NetworkReplica>> replicas;
    for (std::size_t i = 0; i < layout.members().size(); ++i)
        replicas.push_back(std::make_unique<NetworkReplica>(
            setup.model, setup.model_path, setup.arrays, layout.group_comm(), layout.group_mpi()));
    result.construction_s = world.max(seconds_since(construction_start));

    // balloon[m * V * 5 + v * 5 + field]: every member's states after the forecast.
    std::vector<double> balloon(M * V * balloon_fields, 0);
    const double random_walk_std = std::sqrt(setup.random_walk_variance);
    const EnkfSettings enkf{setup.observation_noise, setup.rho};

    for (std::size_t tr = 0; tr < T; ++tr) {
        const auto tr_start = std::chrono::steady_clock::now();
        if (tr > 0)
            for (std::size_t k = 0; k < K; ++k)
                for (auto& x : theta_log[k])
                    x += random_walk_std * normal(rng);

        // Forecast: this group's members over one TR.
        std::vector<std::uint64_t> packed;
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            const std::size_t m = layout.members()[i];
            auto& replica = *replicas[i];
            for (std::size_t k = 0; k < K; ++k) {
                const auto& h = setup.estimate[k];
                std::vector<double> values(V, replica.model_value(h.kind, h.population));
                for (std::size_t v = 0; v < V; ++v)
                    if (h.active[v])
                        values[v] = h.bounds.to_value(theta_log[k][m * V + v]);
                replica.set(h.kind, h.population, values);
            }
            replica.advance_ms(tr_ms);
            if (layout.group_comm().rank() == 0) {
                packed.push_back(m);
                const auto states = replica.balloon().states();
                const auto y = replica.balloon().bold();
                for (std::size_t v = 0; v < V; ++v)
                    for (const double x : {states[v].s, states[v].f, states[v].v, states[v].q, y[v]})
                        packed.push_back(bits_of(x));
            }
        }
        const std::vector<std::uint64_t> all = world.size() > 1 ? world.all_gather(packed) : packed;
        const std::size_t record = 1 + V * balloon_fields;
        for (std::size_t at = 0; at + record <= all.size(); at += record) {
            const std::size_t m = all[at];
            for (std::size_t j = 0; j < V * balloon_fields; ++j)
                balloon[m * V * balloon_fields + j] = double_of(all[at + 1 + j]);
        }

        for (std::size_t v = 0; v < V; ++v) {
            double sum = 0;
            for (std::size_t m = 0; m < M; ++m)
                sum += balloon[(m * V + v) * balloon_fields + 4];
            result.forecast[v * T + tr] = sum / double(M);
        }
        record_theta(setup, theta_log, M, tr, result.forecast_theta);

        if (tr >= setup.warmup_trs) {
            // Augmented state per voxel: active theta_log rows, then s f v q y.
            std::vector<Eigen::MatrixXd> states(V);
            std::vector<Eigen::Index> bold_row(V);
            for (std::size_t v = 0; v < V; ++v) {
                std::vector<std::size_t> rows;
                for (std::size_t k = 0; k < K; ++k)
                    if (setup.estimate[k].active[v])
                        rows.push_back(k);
                Eigen::MatrixXd W(static_cast<Eigen::Index>(rows.size() + balloon_fields), static_cast<Eigen::Index>(M));
                for (std::size_t m = 0; m < M; ++m) {
                    Eigen::Index r = 0;
                    for (const std::size_t k : rows)
                        W(r++, static_cast<Eigen::Index>(m)) = theta_log[k][m * V + v];
                    for (std::size_t field = 0; field < balloon_fields; ++field)
                        W(r++, static_cast<Eigen::Index>(m)) = balloon[(m * V + v) * balloon_fields + field];
                }
                states[v] = std::move(W);
                bold_row[v] = static_cast<Eigen::Index>(rows.size() + balloon_fields - 1);
            }
            Eigen::VectorXd y_obs(static_cast<Eigen::Index>(V));
            for (std::size_t v = 0; v < V; ++v)
                y_obs(static_cast<Eigen::Index>(v)) = observed.at(v, tr);
            Eigen::MatrixXd xi(static_cast<Eigen::Index>(V), static_cast<Eigen::Index>(M));
            for (Eigen::Index v = 0; v < xi.rows(); ++v)
                for (Eigen::Index m = 0; m < xi.cols(); ++m)
                    xi(v, m) = normal(rng);
            ensemble_kalman_analysis(states, bold_row, y_obs, xi, enkf);
            for (std::size_t v = 0; v < V; ++v) {
                const Eigen::MatrixXd& W = states[v];
                for (std::size_t m = 0; m < M; ++m) {
                    Eigen::Index r = 0;
                    for (std::size_t k = 0; k < K; ++k)
                        if (setup.estimate[k].active[v])
                            theta_log[k][m * V + v] = W(r++, static_cast<Eigen::Index>(m));
                    for (std::size_t field = 0; field < balloon_fields; ++field) {
                        double x = W(r++, static_cast<Eigen::Index>(m));
                        if (field >= 1 && field <= 3) // f, v, q floored as in the Balloon step
                            x = std::max(x, 1e-5);
                        balloon[(m * V + v) * balloon_fields + field] = x;
                    }
                }
            }
            for (std::size_t i = 0; i < replicas.size(); ++i) {
                const std::size_t m = layout.members()[i];
                std::vector<BalloonState> s(V);
                for (std::size_t v = 0; v < V; ++v) {
                    const double* b = &balloon[(m * V + v) * balloon_fields];
                    s[v] = BalloonState{b[0], b[1], b[2], b[3]};
                }
                replicas[i]->balloon().set_states(s);
            }
        }
        for (std::size_t v = 0; v < V; ++v) {
            double sum = 0;
            for (std::size_t m = 0; m < M; ++m)
                sum += balloon[(m * V + v) * balloon_fields + 4];
            result.analysis[v * T + tr] = sum / double(M);
        }
        record_theta(setup, theta_log, M, tr, result.analysis_theta);

        if (progress && world.rank() == 0) {
            std::fprintf(progress, "dtb: TR %zu/%zu%s %.2f s", tr + 1, T, tr < setup.warmup_trs ? " (warm-up)" : "",
                seconds_since(tr_start));
            for (std::size_t k = 0; k < K; ++k) {
                double mean = 0, spread = 0;
                std::size_t n = 0;
                for (std::size_t v = 0; v < V; ++v)
                    if (setup.estimate[k].active[v]) {
                        mean += result.analysis_theta[k].mean[tr * V + v];
                        spread += result.analysis_theta[k].spread[tr * V + v];
                        ++n;
                    }
                std::fprintf(progress, "  %s mean %.4g spread %.3g", setup.estimate[k].label.c_str(),
                    mean / double(n), spread / double(n));
            }
            std::fprintf(progress, "\n");
            std::fflush(progress);
        }
    }
    replicas.clear();
    result.assimilation_s = world.max(seconds_since(start));

    // Open-loop replay: the forecast-mean trajectory (what the filter believed
    // before seeing each TR), no analysis.
    const auto replay_start = std::chrono::steady_clock::now();
    std::vector<std::vector<double>> replay_theta;
    for (std::size_t k = 0; k < K; ++k)
        replay_theta.push_back(result.forecast_theta[k].mean);
    result.replay = simulate_bold_series(setup, replay_theta, T, 0, layout).values;
    result.replay_s = world.max(seconds_since(replay_start));
    return result;
}

} // namespace dtb::assimilation
