#include "assimilation/ensemble_kalman_filter.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dtb::assimilation {

void ensemble_kalman_analysis(std::vector<Eigen::MatrixXd>& states, const std::vector<Eigen::Index>& bold_row,
    const Eigen::VectorXd& observed, const Eigen::MatrixXd& standard_normals, const EnkfSettings& settings)
{
    const Eigen::Index V = static_cast<Eigen::Index>(states.size());
    if (V == 0)
        return;
    const Eigen::Index M = states[0].cols();
    if (M < 2)
        throw std::invalid_argument("ensemble_kalman_analysis: at least 2 members are needed");
    if (static_cast<Eigen::Index>(bold_row.size()) != V || observed.size() != V || standard_normals.rows() != V
        || standard_normals.cols() != M)
        throw std::invalid_argument("ensemble_kalman_analysis: inconsistent sizes");
    const double R = settings.observation_noise;
    const double rho = settings.rho;
    const double sqrt_r = std::sqrt(R);

    // Forecast BOLD anomalies Y (V x M), innovations D (V x M), 1/(Var + R).
    Eigen::MatrixXd Y(V, M), D(V, M);
    Eigen::VectorXd inverse_variance(V);
    for (Eigen::Index i = 0; i < V; ++i) {
        if (states[i].cols() != M || bold_row[i] < 0 || bold_row[i] >= states[i].rows())
            throw std::invalid_argument("ensemble_kalman_analysis: voxel " + std::to_string(i) + " is malformed");
        const Eigen::RowVectorXd y = states[i].row(bold_row[i]);
        Y.row(i) = y.array() - y.mean();
        inverse_variance(i) = 1.0 / (Y.row(i).squaredNorm() / double(M - 1) + R);
        D.row(i) = (observed(i) + sqrt_r * standard_normals.row(i).array()) - y.array();
    }
    // Diffusion term: sum_u d_u^j Cov(w_i, y_u) g_u = (A_i / (M-1)) (Y^T diag(g) D)(:, j)
    //              = ((A_i Y^T) / (M-1)) (diag(g) D)(:, j).
    // The first form costs O(V M^2) in all (an M x M matrix once), the
    // second O(V^2 M); take the cheaper one.
    const Eigen::MatrixXd GD = inverse_variance.asDiagonal() * D; // V x M
    const bool via_members = M <= V;
    Eigen::MatrixXd Z;
    if (via_members && rho != 1.0)
        Z = Y.transpose() * GD / double(M - 1); // M x M

    for (Eigen::Index i = 0; i < V; ++i) {
        Eigen::MatrixXd& W = states[i];
        const Eigen::VectorXd mean = W.rowwise().mean();
        const Eigen::MatrixXd A = W.colwise() - mean;
        const Eigen::VectorXd gain = A * Y.row(i).transpose() / double(M - 1) * inverse_variance(i); // K_i
        Eigen::MatrixXd update = rho * gain * D.row(i);
        if (rho != 1.0) {
            if (via_members)
                update += (1 - rho) / double(V) * (A * Z);
            else
                update += (1 - rho) / double(V) * ((A * Y.transpose() / double(M - 1)) * GD);
        }
        W += update;
    }
}

} // namespace dtb::assimilation
