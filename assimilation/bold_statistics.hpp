#pragma once
// How well a BOLD series matches the observed one: per-region Pearson
// correlations over time, and the functional-connectivity (FC) correlation,
// the Pearson correlation of the upper triangles (without the diagonal) of
// the two region x region correlation matrices. Series are [region * T + t];
// only TRs [first_tr, T) are compared. A region with zero variance gives NaN
// and is left out of means.
#include <cstddef>
#include <vector>

namespace dtb::assimilation {

double pearson(const std::vector<double>& a, const std::vector<double>& b);

std::vector<double> region_correlations(const std::vector<double>& observed, const std::vector<double>& model,
    std::size_t regions, std::size_t trs, std::size_t first_tr);

/// Mean of the finite entries (NaN if none).
double finite_mean(const std::vector<double>& values);

double fc_correlation(const std::vector<double>& observed, const std::vector<double>& model, std::size_t regions,
    std::size_t trs, std::size_t first_tr);

} // namespace dtb::assimilation
