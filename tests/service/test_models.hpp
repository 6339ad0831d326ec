#pragma once
// Model files for the service tests: a small balanced network of 500
// iaf_psc_exp neurons that simulates 500 ms in well under a second, and the
// same network run long enough (10 simulated minutes) to be cancelled,
// timed out or interrupted.
#include <string>

namespace dtb::service::testing {

inline std::string network_yaml(const std::string& name, double t_stop_ms, unsigned seed = 3)
{
    return "name: " + name + "\n"
        "simulation: {dt_ms: 0.1, t_stop_ms: " + std::to_string(t_stop_ms) + ", seed: " + std::to_string(seed) + "}\n"
        "populations:\n"
        "  - {name: E, size: 400, iaf_psc_exp: {}, v_init: {kind: uniform, low: -65, high: -50}}\n"
        "  - {name: I, size: 100, iaf_psc_exp: {}}\n"
        "projections:\n"
        "  - {source: E, target: E, rule: fixed_indegree, indegree: 40, weight: 87.8, delay_ms: 1.5}\n"
        "  - {source: I, target: E, rule: fixed_indegree, indegree: 10, weight: -439, delay_ms: 1.5}\n"
        "inputs:\n"
        "  - {name: ext, targets: [E, I], kind: poisson, count: 400, rate_hz: 25, weight: 87.8}\n";
}

inline std::string quick_model_yaml() { return network_yaml("quick", 500); }
inline std::string long_model_yaml() { return network_yaml("long", 600000); }

/// A model that sets a population size of 0 (INVALID_ARGUMENT at submit).
inline std::string zero_size_model_yaml()
{
    return "name: bad\n"
           "populations:\n"
           "  - {name: E, size: 0, iaf_psc_exp: {}}\n";
}

} // namespace dtb::service::testing
