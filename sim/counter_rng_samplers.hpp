#pragma once
// Poisson, binomial and gamma samplers of CounterRng. Included by
// counter_rng.hpp; not to be included on its own.
// PLACEHOLDER implementations (inversion / sums); to be replaced by exact
// large-parameter algorithms (PTRS, BTRD, Marsaglia-Tsang).

namespace dtb::sim {

KOKKOS_INLINE_FUNCTION std::uint64_t CounterRng::poisson(double mean)
{
    // Inversion by sequential search.
    std::uint64_t k = 0;
    double p = math::exp(-mean);
    double cdf = p;
    const double u = uniform();
    while (u > cdf && k < 100000) {
        ++k;
        p *= mean / static_cast<double>(k);
        cdf += p;
    }
    return k;
}

KOKKOS_INLINE_FUNCTION std::uint64_t CounterRng::binomial(std::uint64_t n, double p)
{
    std::uint64_t k = 0;
    for (std::uint64_t i = 0; i < n; ++i)
        k += uniform() < p ? 1 : 0;
    return k;
}

KOKKOS_INLINE_FUNCTION double CounterRng::gamma(double shape, double rate)
{
    // Marsaglia-Tsang for shape >= 1.
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / math::sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = uniform_open();
        if (math::log(u) < 0.5 * x * x + d - d * v + d * math::log(v))
            return d * v / rate;
    }
}

} // namespace dtb::sim
