#pragma once
// The HMDA analysis step (references.md section 3): a stochastic ensemble
// Kalman filter with perturbed observations, applied per voxel with the
// voxel's own gain, mixed with a "diffusion" term that spreads every voxel's
// innovation over all voxels:
//   d_u^j = y_obs,u + sqrt(R) xi_u^j - y_u^j                (member j, voxel u)
//   K_i   = Cov(w_i, y_i) / (Var(y_i) + R)
//   w_i^j <- w_i^j + rho d_i^j K_i
//              + (1 - rho) (1/V) sum_u d_u^j Cov(w_i, y_u) / (Var(y_u) + R)
// w_i is voxel i's augmented state (its hyperparameters in logit space, its
// Balloon states and its BOLD y); covariances are ensemble covariances of the
// forecast (divisor M - 1). All innovations and covariances come from the
// forecast ensemble before any voxel is updated.
#include <Eigen/Dense>
#include <vector>

namespace dtb::assimilation {

struct EnkfSettings {
    double observation_noise = 1e-8; // R
    double rho = 0.8;                // local share
};

/// Updates `states` in place. states[i] is voxel i's ensemble, one column per
/// member (all voxels the same member count M >= 2; rows may differ per
/// voxel); row `bold_row(i)` of it is the voxel's BOLD, i.e. the observed
/// quantity. `observed` has V entries; `standard_normals` is V x M of
/// independent N(0, 1) draws for the observation perturbations.
void ensemble_kalman_analysis(std::vector<Eigen::MatrixXd>& states, const std::vector<Eigen::Index>& bold_row,
    const Eigen::VectorXd& observed, const Eigen::MatrixXd& standard_normals, const EnkfSettings& settings);

} // namespace dtb::assimilation
