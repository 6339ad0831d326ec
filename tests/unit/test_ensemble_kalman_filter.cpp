// The HMDA analysis (references.md section 3) on toy problems:
//  - linear-Gaussian, one voxel: for a large ensemble the analysis mean and
//    covariance match the exact Kalman filter within Monte-Carlo error;
//  - rho = 1 is the purely local update (each voxel alone);
//  - the mixing with the diffusion term follows the formula written out
//    directly (a loop over members and voxels);
//  - the logit parametrisation keeps every value inside its bounds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "assimilation/bounded_parameter.hpp"
#include "assimilation/ensemble_kalman_filter.hpp"

namespace {

using dtb::assimilation::BoundedParameter;
using dtb::assimilation::ensemble_kalman_analysis;
using dtb::assimilation::EnkfSettings;

Eigen::MatrixXd normals(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng)
{
    std::normal_distribution<double> normal(0, 1);
    Eigen::MatrixXd out(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j)
            out(i, j) = normal(rng);
    return out;
}

TEST(EnsembleKalmanFilter, LinearGaussianMatchesExactKalmanFilter)
{
    const Eigen::Index M = 40000;
    std::mt19937_64 rng(11);
    Eigen::Vector3d mean(0.5, -1.0, 2.0); // (a, b, y): y is observed
    Eigen::Matrix3d P;
    P << 1.0, 0.3, 0.6, 0.3, 0.5, -0.2, 0.6, -0.2, 0.8;
    const double R = 0.4, y_obs = 2.9;
    const Eigen::Matrix3d L = P.llt().matrixL();
    std::vector<Eigen::MatrixXd> states = {(L * normals(3, M, rng)).colwise() + mean};
    ensemble_kalman_analysis(states, {2}, Eigen::VectorXd::Constant(1, y_obs), normals(1, M, rng), {R, 0.8});

    const Eigen::Vector3d gain = P.col(2) / (P(2, 2) + R);
    const Eigen::Vector3d exact_mean = mean + gain * (y_obs - mean(2));
    const Eigen::Matrix3d exact_cov = P - gain * P.row(2);
    const Eigen::Vector3d ensemble_mean = states[0].rowwise().mean();
    const Eigen::MatrixXd anomalies = states[0].colwise() - ensemble_mean;
    const Eigen::Matrix3d ensemble_cov = anomalies * anomalies.transpose() / double(M - 1);
    for (int i = 0; i < 3; ++i) {
        // Standard error of a mean of M draws, with margin for the sample gain.
        const double se = std::sqrt(exact_cov(i, i) / double(M));
        EXPECT_NEAR(ensemble_mean(i), exact_mean(i), 5 * se + 1e-3) << "component " << i;
        for (int j = 0; j < 3; ++j) {
            // Standard error of a sample covariance ~ sqrt((C_ii C_jj + C_ij^2) / M).
            const double se_cov = std::sqrt((exact_cov(i, i) * exact_cov(j, j) + exact_cov(i, j) * exact_cov(i, j)) / M);
            EXPECT_NEAR(ensemble_cov(i, j), exact_cov(i, j), 6 * se_cov + 2e-3) << "(" << i << ", " << j << ")";
        }
    }
}

// Voxels whose states are correlated with each other (so the diffusion term
// is not zero).
std::vector<Eigen::MatrixXd> correlated_voxels(Eigen::Index V, Eigen::Index M, std::mt19937_64& rng)
{
    const Eigen::MatrixXd common = normals(1, M, rng);
    std::vector<Eigen::MatrixXd> out;
    for (Eigen::Index v = 0; v < V; ++v) {
        Eigen::MatrixXd W = normals(2 + v % 2, M, rng); // rows differ per voxel
        W.row(W.rows() - 1) += 0.8 * common;
        W.row(0) += 0.5 * W.row(W.rows() - 1);
        out.push_back(W);
    }
    return out;
}

TEST(EnsembleKalmanFilter, RhoOneIsTheLocalUpdate)
{
    std::mt19937_64 rng(5);
    const Eigen::Index V = 3, M = 12;
    auto together = correlated_voxels(V, M, rng);
    const Eigen::MatrixXd xi = normals(V, M, rng);
    const Eigen::VectorXd observed = Eigen::VectorXd::LinSpaced(V, 0.5, 1.5);
    auto alone = together;
    std::vector<Eigen::Index> rows;
    for (const auto& W : together)
        rows.push_back(W.rows() - 1);
    ensemble_kalman_analysis(together, rows, observed, xi, {1e-2, 1.0});
    for (Eigen::Index v = 0; v < V; ++v) {
        std::vector<Eigen::MatrixXd> one = {alone[v]};
        ensemble_kalman_analysis(one, {rows[v]}, observed.segment(v, 1), xi.row(v), {1e-2, 1.0});
        EXPECT_LT((one[0] - together[v]).cwiseAbs().maxCoeff(), 1e-12) << "voxel " << v;
    }
}

// Both evaluation orders of the diffusion term (M > V and M <= V).
void check_mixing_formula(Eigen::Index V, Eigen::Index M)
{
    std::mt19937_64 rng(9);
    const double R = 0.05, rho = 0.8;
    auto states = correlated_voxels(V, M, rng);
    const auto prior = states;
    const Eigen::MatrixXd xi = normals(V, M, rng);
    const Eigen::VectorXd observed = Eigen::VectorXd::LinSpaced(V, -0.5, 0.5);
    std::vector<Eigen::Index> rows;
    for (const auto& W : states)
        rows.push_back(W.rows() - 1);
    ensemble_kalman_analysis(states, rows, observed, xi, {R, rho});

    auto cov = [&](const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) {
        return ((a.array() - a.mean()) * (b.array() - b.mean())).sum() / double(M - 1);
    };
    for (Eigen::Index i = 0; i < V; ++i)
        for (Eigen::Index j = 0; j < M; ++j)
            for (Eigen::Index r = 0; r < prior[i].rows(); ++r) {
                auto d = [&](Eigen::Index u) { return observed(u) + std::sqrt(R) * xi(u, j) - prior[u](rows[u], j); };
                const Eigen::RowVectorXd w = prior[i].row(r);
                const double local = cov(w, prior[i].row(rows[i])) / (cov(prior[i].row(rows[i]), prior[i].row(rows[i])) + R);
                double diffusion = 0;
                for (Eigen::Index u = 0; u < V; ++u)
                    diffusion += d(u) * cov(w, prior[u].row(rows[u]))
                        / (cov(prior[u].row(rows[u]), prior[u].row(rows[u])) + R);
                const double expected = prior[i](r, j) + rho * d(i) * local + (1 - rho) / double(V) * diffusion;
                EXPECT_NEAR(states[i](r, j), expected, 1e-12) << "V " << V << ", M " << M;
            }
}

TEST(EnsembleKalmanFilter, MixingFollowsTheFormula)
{
    check_mixing_formula(4, 7);
    check_mixing_formula(8, 5);
}

TEST(BoundedParameter, StaysWithinBoundsAndInverts)
{
    const BoundedParameter p{0.0004, 0.0032};
    for (const double x : {-1e4, -300.0, -50.0, -1.0, 0.0, 1.0, 50.0, 300.0, 1e4}) {
        const double value = p.to_value(x);
        EXPECT_GE(value, p.low);
        EXPECT_LE(value, p.high);
    }
    EXPECT_NEAR(p.to_value(0), 0.5 * (p.low + p.high), 1e-15);
    for (const double x : {-40.0, -3.0, 0.0, 2.5, 40.0})
        EXPECT_NEAR(p.to_log(p.to_value(x)), x, 1e-6);
    EXPECT_NEAR(p.to_value(10.0), p.low + (p.high - p.low) / (1 + std::exp(-1.0)), 1e-15);
}

} // namespace
