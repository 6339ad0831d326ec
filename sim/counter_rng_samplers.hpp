#pragma once
// Poisson, binomial and gamma samplers of CounterRng. Included by
// counter_rng.hpp; not to be included on its own.
//
// All three are exact (up to double rounding of the parameters; binomial
// needs n <= 2^53 for that, poisson saturates at mean >= 2^63) for every
// valid parameter, run in O(1) expected time, and draw their random numbers
// only through this object's uniform()/normal(), so the numbers a draw
// consumes are a deterministic function of the stream. Degenerate
// parameters (mean 0, n 0, p 0 or 1) return at once and consume nothing.
// The code runs in Kokkos kernels (Serial, OpenMP, CUDA): no exceptions, no
// std:: containers, only dtb::sim::math and dtb::sim::ieee_math functions.
// The Poisson sampler, drawn every step in kernels, takes its log, log1p and
// log k! from ieee_math so host and GPU draw the same counts; binomial and
// gamma run at construction, on the host, and call libm's log directly.
//
// References:
//  - W. Hörmann, "The transformed rejection method for generating Poisson
//    random variables", Insurance: Mathematics and Economics 12 (1993) 39-45
//    (PTRS; cf. numpy's random_poisson_ptrs).
//  - V. Kachitvichyanukul, B. W. Schmeiser, "Binomial random variate
//    generation", Communications of the ACM 31 (1988) 216-222 (BTPE; cf.
//    numpy's random_binomial_btpe).
//  - G. Marsaglia, W. W. Tsang, "A simple method for generating gamma
//    variables", ACM Transactions on Mathematical Software 26 (2000) 363-372.

namespace dtb::sim {

namespace counter_rng_detail {

KOKKOS_INLINE_FUNCTION double abs_value(double x) { return x < 0.0 ? -x : x; }

/// A quiet NaN without host-only calls (numeric_limits is not device code
/// without relaxed constexpr).
KOKKOS_INLINE_FUNCTION double quiet_nan()
{
    const double zero = 0.0;
    return zero / zero;
}

/// Remainder of Stirling's series, log(k!) - [(k + 1/2) log k - k + log(2 pi)/2],
/// to five terms: 1/(12k) - 1/(360k^3) + 1/(1260k^5) - 1/(1680k^7) + 1/(1188k^9).
/// The first omitted term is 691/(360360 k^11): < 2.2e-16 for k >= 15, which is
/// where the callers use it.
KOKKOS_INLINE_FUNCTION double stirling_tail(double k)
{
    const double k2 = k * k;
    return (1.0 / 12.0
            - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * k2)) / k2) / k2) / k2)
        / k;
}

/// log of the Poisson(mean) pmf at k (an integer >= 0), accurate in
/// absolute terms for every mean: near the mode it uses Stirling's form with
/// d = k - mean passed in exactly, so no term of size ~mean*log(mean) cancels
/// (the naive -mean + k log(mean) - lgamma(k+1) loses ~1e-3 at mean = 1e12).
/// Drawn every step (Poisson input), so only ieee_math functions: the same
/// bits on host and GPU.
KOKKOS_INLINE_FUNCTION double poisson_log_pmf(double k, double mean, double d)
{
    constexpr double half_log_two_pi = 0.91893853320467274178;
    if (k < 16.0)
        return k * ieee_math::log(mean) - mean
            - ieee_math::log_factorial_small(static_cast<int>(k));
    // log k! = k log k - k + log(2 pi k)/2 + stirling_tail(k), and
    // k log(mean) - mean - k log k + k = d - k log1p(d / mean).
    return d - k * ieee_math::log1p(d / mean) - 0.5 * ieee_math::log(k) - half_log_two_pi
        - stirling_tail(k);
}

} // namespace counter_rng_detail

KOKKOS_INLINE_FUNCTION std::uint64_t CounterRng::poisson(double mean, double exp_minus_mean)
{
    if (!(mean > 0.0))
        return 0;
    if (mean < 10.0) {
        // Inversion by sequential search from 0: at most ~mean + 1 steps on
        // average. If rounding leaves u above the summed pmf, the pmf
        // underflows to 0 after a few hundred terms; restarting with a fresh
        // u then samples the (exact) conditional distribution.
        const double p0 = exp_minus_mean;
        for (;;) {
            double u = uniform();
            double p = p0;
            std::uint64_t k = 0;
            while (u >= p && p > 0.0) {
                u -= p;
                ++k;
                p *= mean / static_cast<double>(k);
            }
            if (u < p)
                return k;
        }
    }
    return poisson(mean);
}

KOKKOS_INLINE_FUNCTION std::uint64_t CounterRng::poisson(double mean)
{
    using counter_rng_detail::abs_value;
    // mean == 0 (and NaN or negative, outside the contract) consume nothing.
    if (!(mean > 0.0))
        return 0;
    // Beyond 2^63 the count does not fit; saturate (and never loop on inf).
    if (!(mean < 9223372036854775808.0))
        return ~std::uint64_t(0);

    if (mean < 10.0)
        return poisson(mean, math::exp(-mean));

    // PTRS (Hörmann 1993), constants as in the paper. The candidate is
    // split as k = floor(mean) + j with j computed from frac(mean) only, so
    // the unit cells of the proposal stay resolved for any mean (adding a
    // large mean inside floor() would quantise them to ulp(mean)).
    const double slam = math::sqrt(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double log_inv_alpha = ieee_math::log(1.1239 + 1.1328 / (b - 3.4));
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    const double mean_int = math::floor(mean);
    const double mean_frac = mean - mean_int;
    const std::uint64_t mean_int_u = static_cast<std::uint64_t>(mean_int);

    for (;;) {
        const double u = uniform() - 0.5;
        const double v = uniform();
        const double us = 0.5 - abs_value(u);
        // us == 0 (u == -0.5) gives j = -inf, rejected below.
        const double j = math::floor((2.0 * a / us + b) * u + mean_frac + 0.43);
        if (us >= 0.07 && v <= vr)
            return mean_int_u + static_cast<std::uint64_t>(static_cast<std::int64_t>(j));
        if (j < -mean_int || (us < 0.013 && v > us))
            continue;
        const double k = mean_int + j;
        const double d = j - mean_frac; // k - mean, exactly for |j| < 2^52
        // log(0) = -inf when v == 0: accepted, as it should be.
        if (ieee_math::log(v) + log_inv_alpha - ieee_math::log(a / (us * us) + b)
            <= counter_rng_detail::poisson_log_pmf(k, mean, d))
            return mean_int_u + static_cast<std::uint64_t>(static_cast<std::int64_t>(j));
    }
}

KOKKOS_INLINE_FUNCTION std::uint64_t CounterRng::binomial(std::uint64_t n, double p)
{
    using counter_rng_detail::abs_value;
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    // Sample with r = min(p, 1 - p) and mirror (1 - p is exact for p >= 0.5).
    const bool mirrored = p > 0.5;
    const double r = mirrored ? 1.0 - p : p;
    const double q = 1.0 - r;
    const double nd = static_cast<double>(n);
    const double nr = nd * r;

    if (nr < 30.0) {
        // Inversion by sequential search from 0 (~n r + 1 steps on average).
        // q^n via log1p so tiny p with huge n keeps full precision. A u left
        // above the summed pmf by rounding restarts once the pmf reaches 0
        // (at k = n + 1 at the latest, or by underflow), see poisson().
        const double qn = math::exp(nd * math::log1p(-r));
        const double s = r / q;
        for (;;) {
            double u = uniform();
            double px = qn;
            std::uint64_t k = 0;
            while (u >= px && px > 0.0) {
                u -= px;
                ++k;
                px *= static_cast<double>(n - k + 1) * s / static_cast<double>(k);
            }
            if (u < px)
                return mirrored ? n - k : k;
        }
    }

    // BTPE (Kachitvichyanukul & Schmeiser 1988): a triangle, two
    // parallelograms and two exponential tails around the mode m. As in
    // poisson(), candidates are computed as offsets j = y - m so their unit
    // cells are resolved even when m is ~1e11.
    const double fm = nr + r;
    const double m = math::floor(fm);
    const std::uint64_t m_u = static_cast<std::uint64_t>(m);
    const double nrq = nr * q;
    const double p1 = math::floor(2.195 * math::sqrt(nrq) - 4.6 * q) + 0.5;
    const double xm = m + 0.5;
    const double xl = xm - p1;
    const double xr = xm + p1;
    const double c = 0.134 + 20.5 / (15.3 + m);
    double a = (fm - xl) / (fm - xl * r);
    const double laml = a * (1.0 + 0.5 * a);
    a = (xr - fm) / (xr * q);
    const double lamr = a * (1.0 + 0.5 * a);
    const double p2 = p1 * (1.0 + 2.0 * c);
    const double p3 = p2 + c / laml;
    const double p4 = p3 + c / lamr;
    const double s = r / q;

    for (;;) {
        const double u = uniform() * p4;
        double v = uniform();
        double j; // y - m, integer valued
        if (u <= p1) {
            // Triangle: accepted at once.
            j = math::floor(0.5 - p1 * v + u);
            const std::uint64_t y = m_u + static_cast<std::uint64_t>(static_cast<std::int64_t>(j));
            return mirrored ? n - y : y;
        }
        if (u <= p2) {
            // Parallelograms; x - m = 0.5 - p1 + (u - p1) / c.
            const double x_rel = 0.5 - p1 + (u - p1) / c;
            v = v * c + 1.0 - abs_value(0.5 - x_rel) / p1;
            if (v > 1.0)
                continue;
            j = math::floor(x_rel);
        } else if (u <= p3) {
            // Left exponential tail.
            if (v == 0.0)
                continue;
            j = math::floor(0.5 - p1 + math::log(v) / laml);
            if (j < -m)
                continue;
            v = v * (u - p2) * laml;
        } else {
            // Right exponential tail.
            if (v == 0.0)
                continue;
            j = math::floor(0.5 + p1 - math::log(v) / lamr);
            if (j > nd - m)
                continue;
            v = v * (u - p3) * lamr;
        }

        const double k = abs_value(j);
        if (k <= 20.0 || k >= 0.5 * nrq - 1.0) {
            // Explicit evaluation of f(y)/f(m) by the pmf recurrence
            // f(i)/f(i-1) = (n - i + 1) s / i (at most 20 factors unless y
            // lies far in a tail, which has vanishing probability).
            const std::int64_t ji = static_cast<std::int64_t>(j);
            double f = 1.0;
            if (ji > 0) {
                for (std::uint64_t i = m_u + 1; i <= m_u + static_cast<std::uint64_t>(ji); ++i)
                    f *= static_cast<double>(n - i + 1) * s / static_cast<double>(i);
            } else if (ji < 0) {
                for (std::uint64_t i = m_u - static_cast<std::uint64_t>(-ji) + 1; i <= m_u; ++i)
                    f /= static_cast<double>(n - i + 1) * s / static_cast<double>(i);
            }
            if (v > f)
                continue;
        } else {
            // Squeeze on log(f(y)/f(m)) around -k^2 / (2 n r q).
            const double rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 1.0 / 6.0) / nrq + 0.5);
            const double t = -k * k / (2.0 * nrq);
            const double big_a = math::log(v); // -inf when v == 0: accepted
            if (big_a > t + rho)
                continue;
            if (big_a >= t - rho) {
                // Exact log(f(y)/f(m)) from Stirling's formula (paper's step
                // 5.3). Two corrections to the published/numpy expression:
                // the series is 1/12 = 13860/166320 (numpy has 13680), and
                // the corrections of y! and (n-y)! enter with a minus sign.
                // The log ratios are written as log1p of exact integer
                // differences: log(z/w) multiplies n - m ~ 1e12.
                const double y = m + j;
                const double x1 = y + 1.0;
                const double f1 = m + 1.0;
                const double z = nd + 1.0 - m;
                const double w = nd - y + 1.0;
                const double log_ratio = xm * math::log1p(-j / x1)
                    + (nd - m + 0.5) * math::log1p(j / w)
                    + j * math::log(w * r / (x1 * q))
                    + counter_rng_detail::stirling_tail(f1) + counter_rng_detail::stirling_tail(z)
                    - counter_rng_detail::stirling_tail(x1) - counter_rng_detail::stirling_tail(w);
                if (big_a > log_ratio)
                    continue;
            }
        }
        const std::uint64_t y = m_u + static_cast<std::uint64_t>(static_cast<std::int64_t>(j));
        return mirrored ? n - y : y;
    }
}

KOKKOS_INLINE_FUNCTION double CounterRng::gamma(double shape, double rate)
{
    if (!(shape > 0.0) || !(rate > 0.0))
        return counter_rng_detail::quiet_nan();
    // Marsaglia & Tsang (2000) for shape >= 1. For shape < 1 their boost:
    // Gamma(shape) = Gamma(shape + 1) * U^(1/shape), U drawn after.
    const double alpha = shape < 1.0 ? shape + 1.0 : shape;
    const double d = alpha - 1.0 / 3.0;
    const double c = 1.0 / math::sqrt(9.0 * d);
    double g;
    for (;;) {
        double x, v;
        do {
            x = normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = uniform_open();
        const double x2 = x * x;
        // Squeeze first (saves the logs ~98% of the time), then the exact test.
        if (u < 1.0 - 0.0331 * x2 * x2
            || math::log(u) < 0.5 * x2 + d - d * v + d * math::log(v)) {
            g = d * v;
            break;
        }
    }
    if (shape < 1.0)
        g *= math::exp(math::log(uniform_open()) / shape);
    return g / rate;
}

} // namespace dtb::sim
