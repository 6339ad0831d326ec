#pragma once
// Counter-based random numbers (Random123 Philox4x32-10), usable in host code
// and inside Kokkos kernels (Serial, OpenMP, CUDA).
//
// A stream is identified by (seed, purpose, id, step): the key is the 64-bit
// seed, the counter holds the id (a global neuron id, or another global index
// < 2^48), the purpose, the step and a running block index. Nothing depends
// on how many ranks or threads run the network, which is what makes spike
// trains identical for any partition (design.md, Reproducibility).
#include <Kokkos_Core.hpp>
#include <cstdint>

#include "sim/ieee_math.hpp"
#include "sim/kokkos_math.hpp"

// Random123 marks its functions __device__ only under nvcc; Kokkos code calls
// them from host and device.
#if defined(__CUDACC__) && !defined(R123_CUDA_DEVICE)
#define R123_CUDA_DEVICE __host__ __device__
#endif
#include <Random123/philox.h>

namespace dtb::sim {

/// What a stream of random numbers is for; part of the counter, so streams
/// of different purposes never overlap.
enum class RngPurpose : std::uint32_t {
    connectivity = 1,       // id = target gid, step = projection index
    weight = 2,             // id = target gid, step = projection index
    delay = 3,              // id = target gid, step = projection index
    initial_state = 4,      // id = gid
    heterogeneity = 5,      // id = gid
    poisson_input = 6,      // id = gid, step = time step
    ou_input = 7,           // id = gid, step = time step / 2 (one normal pair per two steps)
    total_number_split = 8, // id = tree node, step = projection index
};

class CounterRng {
public:
    KOKKOS_INLINE_FUNCTION
    CounterRng(std::uint64_t seed, RngPurpose purpose, std::uint64_t id, std::uint64_t step)
    {
        key_.v[0] = static_cast<std::uint32_t>(seed);
        key_.v[1] = static_cast<std::uint32_t>(seed >> 32);
        ctr_.v[0] = static_cast<std::uint32_t>(id);
        ctr_.v[1] = static_cast<std::uint32_t>((id >> 32) & 0xFFFFu)
            | (static_cast<std::uint32_t>(purpose) << 16);
        ctr_.v[2] = static_cast<std::uint32_t>(step);
        ctr_.v[3] = 0;
    }

    /// Next 32 random bits.
    KOKKOS_INLINE_FUNCTION std::uint32_t next_u32()
    {
        if (used_ == 4) {
            block_ = philox4x32(ctr_, key_);
            ++ctr_.v[3];
            used_ = 0;
        }
        return block_.v[used_++];
    }

    /// Uniform in [0, 1) with 53 random bits.
    KOKKOS_INLINE_FUNCTION double uniform()
    {
        const std::uint64_t hi = next_u32() >> 5; // 27 bits
        const std::uint64_t lo = next_u32() >> 6; // 26 bits
        return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
    }

    /// Uniform in (0, 1): safe for log().
    KOKKOS_INLINE_FUNCTION double uniform_open()
    {
        double u = uniform();
        while (u == 0.0)
            u = uniform();
        return u;
    }

    /// Uniform integer in [0, n), unbiased (n >= 1).
    KOKKOS_INLINE_FUNCTION std::uint64_t uniform_int(std::uint64_t n)
    {
        if (n <= 0xFFFFFFFFull) {
            // Lemire's multiply-and-reject on 32 bits.
            const std::uint32_t n32 = static_cast<std::uint32_t>(n);
            std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * n32;
            std::uint32_t low = static_cast<std::uint32_t>(m);
            if (low < n32) {
                const std::uint32_t threshold = static_cast<std::uint32_t>(-n32) % n32;
                while (low < threshold) {
                    m = static_cast<std::uint64_t>(next_u32()) * n32;
                    low = static_cast<std::uint32_t>(m);
                }
            }
            return m >> 32;
        }
        // 64-bit range: rejection on the next power of two.
        std::uint64_t mask = n - 1;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
        mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
        for (;;) {
            // Two statements: the operands of | are unsequenced, so one
            // expression would let each compiler pick which draw is high.
            const std::uint64_t hi = next_u32();
            const std::uint64_t lo = next_u32();
            const std::uint64_t x = ((hi << 32) | lo) & mask;
            if (x < n)
                return x;
        }
    }

    /// Standard normal (Box-Muller; one value per call, the pair's second
    /// value is discarded so a draw's count of consumed bits is fixed).
    /// log and cos are ieee_math's, so host and GPU draw the same bits.
    KOKKOS_INLINE_FUNCTION double normal()
    {
        const double u1 = uniform_open();
        const double u2 = uniform();
        return math::sqrt(-2.0 * ieee_math::log(u1)) * ieee_math::cos(6.283185307179586 * u2);
    }

    /// Two independent standard normals from one Box-Muller pair (the values
    /// normal() returns and discards).
    KOKKOS_INLINE_FUNCTION void normal_pair(double& first, double& second)
    {
        const double u1 = uniform_open();
        const double u2 = uniform();
        const double radius = math::sqrt(-2.0 * ieee_math::log(u1));
        const double angle = 6.283185307179586 * u2;
        // sincos gives bitwise cos() and sin(): first equals normal()'s value.
        double sin_angle, cos_angle;
        ieee_math::sincos(angle, sin_angle, cos_angle);
        first = radius * cos_angle;
        second = radius * sin_angle;
    }

    /// Poisson-distributed count with the given mean (>= 0).
    KOKKOS_INLINE_FUNCTION std::uint64_t poisson(double mean);

    /// The same draw (same random numbers, same result) as poisson(mean),
    /// with e^{-mean} precomputed by the caller: for a fixed mean drawn
    /// every step (Poisson input), this saves the exponential.
    KOKKOS_INLINE_FUNCTION std::uint64_t poisson(double mean, double exp_minus_mean);

    /// Binomial(n, p) count.
    KOKKOS_INLINE_FUNCTION std::uint64_t binomial(std::uint64_t n, double p);

    /// Gamma(shape, rate) variate (mean shape/rate), shape > 0, rate > 0.
    KOKKOS_INLINE_FUNCTION double gamma(double shape, double rate);

private:
    philox4x32_key_t key_;
    philox4x32_ctr_t ctr_;
    philox4x32_ctr_t block_ = {{0, 0, 0, 0}};
    int used_ = 4;
};

} // namespace dtb::sim

#include "sim/counter_rng_samplers.hpp"
