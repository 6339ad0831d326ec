#pragma once
// The HMDA logit parametrisation (references.md section 3): a hyperparameter
// theta in (low, high) is carried by the filter as theta_log with
//   theta = low + (high - low) * sigmoid(theta_log / 10),
// so the random walk and the Kalman update act on an unbounded variable and
// every estimate stays inside the bounds.
#include <cmath>

namespace dtb::assimilation {

struct BoundedParameter {
    double low = 0;
    double high = 1;

    double to_value(double theta_log) const { return low + (high - low) / (1 + std::exp(-theta_log / 10)); }
    /// Inverse of to_value; `value` is clamped a hair inside (low, high).
    double to_log(double value) const
    {
        const double eps = 1e-12;
        double p = (value - low) / (high - low);
        p = p < eps ? eps : (p > 1 - eps ? 1 - eps : p);
        return 10 * std::log(p / (1 - p));
    }
};

} // namespace dtb::assimilation
