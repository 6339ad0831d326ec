#include "sim/brain/brain_model_spec.hpp"

#include <cstdio>
#include <sstream>

namespace dtb::brain {

namespace {

// Shortest text (of at least 6 significant digits) that reads back as the same double.
std::string exact(double value)
{
    char text[32];
    // From 6 digits up: %g then writes whole numbers such as 1000 without an exponent.
    for (int digits = 6; digits <= 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, value);
        double back = 0;
        std::sscanf(text, "%lf", &back);
        if (back == value)
            break;
    }
    return text;
}

// A double-quoted YAML scalar: any name stays a string (no YAML syntax leaks).
std::string quoted(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20)
            out += c;
    }
    return out + "\"";
}

} // namespace

std::string brain_model_yaml(const BrainModelSpec& spec)
{
    // The DTB's voxel shares of K_v (references.md section 2).
    const double local_e = 4.0 / 7.0, local_i = 1.0 / 7.0, long_range = 2.0 / 7.0;
    std::ostringstream y;
    y << "# Whole-brain model built by `dtb build-brain` (docs/brain_bundle.md).\n"
      << "# Populations E and I are ordered by voxel; their sizes per voxel, the\n"
      << "# in-degree K_v of each voxel and the long-range connectivity with its\n"
      << "# delays are in " << spec.arrays_file << ". Each neuron of voxel v gets K_v synapses:\n"
      << "# 4/7 from E of its own voxel, 1/7 from I of its own voxel and 2/7 from E\n"
      << "# of other voxels drawn by the connectivity row of v (references.md 2).\n"
      << "name: " << quoted(spec.name) << "\n"
      << "simulation: {dt_ms: " << exact(spec.dt_ms) << ", t_stop_ms: " << exact(spec.t_stop_ms)
      << ", seed: " << spec.seed << "}\n"
      << "brain: {arrays: " << spec.arrays_file << "}\n"
      << "populations:\n"
      << "  - name: E\n"
      << "    size: " << spec.num_excitatory << "\n"
      << "    # The DTB's older default neuron (C 1 nF, g_L 0.03 uS, V_L -75, V_reset -65 mV,\n"
      << "    # T_ref 5 ms, tau_GABA_A 10 ms) with the conductances calibrated for the d = 100\n"
      << "    # voxel model under OU background (references.md section 1): with these\n"
      << "    # the OU mean alone settles V at -53 mV, below threshold. (The 2023-24 set,\n"
      << "    # C 0.5, g_L 0.025, V_L -70, settles at -43.6 mV, above it: tonic firing\n"
      << "    # at > 100 Hz with these conductances.)\n"
      << "    lif_dtb: &dtb_neuron\n"
      << "      C: 1.0\n      g_L: 0.03\n      V_L: -75\n      V_th: -50\n      V_reset: -65\n      T_ref: 5\n"
      << "      V_ampa: 0\n      V_nmda: 0\n      V_gaba_a: -70\n      V_gaba_b: -100\n"
      << "      tau_ampa: 2\n      tau_nmda: 40\n      tau_gaba_a: 10\n      tau_gaba_b: 50\n"
      << "      g_ampa: 0.0016\n      g_nmda: 0.000324\n      g_gaba_a: 0.003672\n      g_gaba_b: 0.000756\n"
      << "      g_gamma_shape: 5\n      g_gamma_rate: 5\n"
      << "    v_init: {kind: uniform, low: -65, high: -50}\n"
      << "  - name: I\n"
      << "    size: " << spec.num_inhibitory << "\n"
      << "    lif_dtb: *dtb_neuron\n"
      << "    v_init: {kind: uniform, low: -65, high: -50}\n"
      << "# fraction: share of the target voxel's K_v; the shares onto one target\n"
      << "# population are rounded together and sum to K_v. voxel_dti takes its\n"
      << "# delays from the arrays (its delay_ms here is required but unused).\n"
      << "projections:\n";
    for (const char* target : { "E", "I" }) {
        y << "  - {source: E, target: " << target << ", rule: voxel_local, fraction: " << exact(local_e)
          << ", weight: {kind: uniform, low: 0, high: 1}, delay_ms: 1.0, receptor: excitatory}\n"
          << "  - {source: I, target: " << target << ", rule: voxel_local, fraction: " << exact(local_i)
          << ", weight: {kind: uniform, low: 0, high: 1}, delay_ms: 1.0, receptor: inhibitory}\n"
          << "  - {source: E, target: " << target << ", rule: voxel_dti, fraction: " << exact(long_range)
          << ", weight: {kind: uniform, low: 0, high: 1}, delay_ms: 1.0, receptor: excitatory}\n";
    }
    y << "inputs:\n"
      << "  - {name: background, targets: [E, I], kind: ou, mean: 0.66, std: 0.12, tau_ms: 10}\n";
    return y.str();
}

} // namespace dtb::brain
