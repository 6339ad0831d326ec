#pragma once
// A neuron model's per-step parameters from its model-file spec (host code;
// keeps the generated protobuf headers out of the kernel headers
// sim/neuron_*.hpp).
#include "dtb/sim/v1/model.pb.h"
#include "sim/neuron_iaf_psc_exp.hpp"
#include "sim/neuron_lif_dtb.hpp"

namespace dtb::sim {

/// Voltage response at time h to a unit current starting at 1 and decaying
/// with tau_syn, for a membrane (tau_m, C_m) starting at 0. Falls back to the
/// tau_syn == tau_m limit h/C e^{-h/tau} where the general form cancels.
double psc_exp_propagator_21(double tau_syn, double tau_m, double C_m, double h);

/// Exact-integration propagators of iaf_psc_exp for the step dt_ms.
IafPscExpParams iaf_psc_exp_params(const v1::IafPscExp& spec, double dt_ms);

/// lif_dtb's per-step constants for the step dt_ms.
LifDtbParams lif_dtb_params(const v1::LifDtb& spec, double dt_ms);

} // namespace dtb::sim
