#include "sim/brain/brain_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace dtb::brain {

namespace {

// Bytes per synapse in the engine's store (sim/synapse_store.hpp): 4 B
// target + 2 B weight + 1 B delay, with 64-bit row pointers amortised.
constexpr double BYTES_PER_SYNAPSE = 7.2;
// lif_dtb state (48 B), per-neuron conductances and their heterogeneity
// factors (2 x 32 B), OU current, the OU update's spare normal and the
// external current (3 x 8 B): sim/network.hpp.
constexpr double BYTES_PER_NEURON_STATE = 136;
// Input accumulator: two 64-bit fixed-point channels per neuron.
constexpr double BYTES_PER_NEURON_INPUT = 16;
// Synaptic event queue (sim/synaptic_event_queue.hpp): 8 B per event, one
// list per delay slot, each sized for the busiest slot with the queue's 1.5x
// growth margin. The busiest slot holds about one step's worth of events
// (the 1 ms local synapses of all spikes of one step), estimated at this
// mean firing rate.
constexpr double BYTES_PER_QUEUED_EVENT = 8;
constexpr double QUEUE_GROWTH_MARGIN = 1.5;
constexpr double ESTIMATE_RATE_HZ = 10;
// The synapse store codes delays in 8 bits relative to a projection's shortest.
constexpr std::uint32_t DELAY_CODE_SPAN = 255;

std::string format(const char* pattern, double value)
{
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string bytes_text(double bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    return format("%.1f ", bytes) + units[unit];
}

std::string percent(double part, double whole) { return whole > 0 ? format("%.1f%%", 100.0 * part / whole) : "-"; }

} // namespace

std::uint32_t BrainReport::max_delay_steps() const
{
    return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(max_delay_ms / dt_ms)));
}

std::uint32_t BrainReport::min_delay_steps() const
{
    return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(min_delay_ms / dt_ms)));
}

std::uint32_t BrainReport::delay_slots() const
{
    // Local projections use 1 ms delays; the queue covers the longest delay.
    return std::max<std::uint32_t>(max_delay_steps(), static_cast<std::uint32_t>(std::llround(1.0 / dt_ms))) + 1;
}

double BrainReport::event_queue_bytes() const
{
    const double events_per_step = static_cast<double>(synapses) * ESTIMATE_RATE_HZ * dt_ms * 1e-3;
    return delay_slots() * events_per_step * QUEUE_GROWTH_MARGIN * BYTES_PER_QUEUED_EVENT;
}

double BrainReport::bytes_per_rank() const
{
    const double per_neuron = BYTES_PER_NEURON_STATE + BYTES_PER_NEURON_INPUT;
    const double r = std::max<std::uint32_t>(1, ranks);
    return (static_cast<double>(synapses) * BYTES_PER_SYNAPSE + static_cast<double>(neurons) * per_neuron
               + event_queue_bytes())
        / r;
}

std::string BrainReport::text() const
{
    std::ostringstream out;
    const bool stand_in = connectivity_kind == "exponential_distance_rule";
    out << "dtb build-brain report\n\n";
    out << "inputs\n";
    out << "  atlas            " << atlas_path << " (orientation from " << atlas_orientation << ")\n";
    out << "  grey matter      " << (grey_matter_path.empty() ? "atlas mask (no --grey-matter)" : grey_matter_path)
        << "\n";
    out << "  synaptic density " << (density_path.empty() ? "none (K_v = K everywhere)" : density_path) << "\n";
    if (stand_in)
        out << "  connectivity     none given: exponential distance rule STAND-IN (lambda "
            << format("%g", lambda_per_mm) << " /mm)\n";
    else
        out << "  connectivity     " << connectivity_path << " (" << connectivity_format << ")\n";
    out << "\nvoxels\n";
    if (voxel_mm > 0)
        out << "  " << num_voxels << " voxels of " << format("%g", voxel_mm) << " mm in " << num_regions
            << " atlas regions\n";
    else
        out << "  " << num_voxels << " regions (region level: one voxel per atlas label)\n";
    out << "  grey matter      " << format("%.0f", grey_matter_mm3) << " mm^3\n";
    if (dropped_voxels > 0)
        out << "  dropped          " << dropped_voxels << " voxels (" << format("%.1f%%", 100 * dropped_grey_matter_fraction)
            << " of the grey matter): too small at this neuron count to hold their local in-degree\n";
    out << "\nneurons\n";
    out << "  total            " << neurons << " (E " << excitatory << ", I " << inhibitory << "; E:I 4:1 per voxel)\n";
    out << "  per voxel        " << min_neurons_per_voxel << " .. " << max_neurons_per_voxel << " (mean "
        << format("%.1f", num_voxels ? double(neurons) / double(num_voxels) : 0.0) << ")\n";
    out << "\nsynapses\n";
    out << "  in-degree K      " << in_degree << "; K_v " << min_indegree << " .. " << max_indegree
        << " (neuron-weighted mean " << format("%.2f", mean_indegree) << ")\n";
    if (!density_path.empty())
        out << "  density scaling  K_v = K x density / " << format("%g", density_reference)
            << " (grey-matter-weighted mean), bounded to [" << indegree_lower_bound << ", " << indegree_upper_bound
            << "]; " << clamped_low << " voxels at the lower bound, " << clamped_high << " at the upper, "
            << without_density << " without a density value (K_v = K)\n";
    out << "  total            " << synapses << " (sum over voxels of N_v K_v)\n";
    out << "  local E          " << local_excitatory << " (" << percent(double(local_excitatory), double(synapses))
        << ")\n";
    out << "  local I          " << local_inhibitory << " (" << percent(double(local_inhibitory), double(synapses))
        << ")\n";
    out << "  long-range E     " << long_range << " (" << percent(double(long_range), double(synapses))
        << " = long-range fraction)\n";
    out << "\nconnectivity\n";
    if (stand_in)
        out << "  kind             exponential_distance_rule -- a STAND-IN, not measured anatomy: weight of source\n"
               "                   voxel u in row v ~ E neurons of u x exp(-"
            << format("%g", lambda_per_mm) << " d(v,u)/mm); give --connectivity for DTI\n";
    else
        out << "  kind             dti (region rows split over source voxels by E neurons)\n";
    out << "  entries          " << connectivity_entries << " (at most " << max_sources << " sources per voxel; "
        << truncated_rows << " rows truncated, " << empty_rows << " rows empty)\n";
    if (truncated_rows > 0)
        out << "  kept weight      " << format("%.1f%%", 100 * kept_weight_fraction)
            << " of a row's untruncated weight on average"
            << (stand_in ? " (the distance rule's tail beyond the strongest sources is cut off; raise "
                           "--max-sources to keep more)\n"
                         : " (region shares are exact; only regions beyond --max-sources are cut off)\n");
    if (!unused_connectome_labels.empty()) {
        out << "  unused labels    " << unused_connectome_labels.size() << " connectome regions have no voxel here:";
        for (std::size_t i = 0; i < unused_connectome_labels.size() && i < 10; ++i)
            out << " " << unused_connectome_labels[i];
        out << (unused_connectome_labels.size() > 10 ? " ..." : "") << "\n";
    }
    out << "  delays           " << format("%.2f", min_delay_ms) << " .. " << format("%.2f", max_delay_ms) << " ms (mean "
        << format("%.2f", mean_delay_ms) << "), " << min_delay_steps() << " .. " << max_delay_steps() << " steps of "
        << format("%g", dt_ms) << " ms; velocity " << format("%g", velocity_m_per_s) << " m/s\n";
    if (delays_from_distance > 0 && !stand_in)
        out << "                   " << delays_from_distance
            << " entries without a tract length use the centre distance\n";
    if (max_delay_steps() - min_delay_steps() > DELAY_CODE_SPAN) {
        const std::uint32_t span = max_delay_steps() - min_delay_steps();
        out << "  note             the long-range delays span " << span << " steps; the synapse store codes a "
            << "projection's delays in 8 bits, so they are kept to multiples of " << (span + DELAY_CODE_SPAN - 1) / DELAY_CODE_SPAN
            << " steps\n";
    }
    out << "\nmemory estimate (" << ranks << (ranks == 1 ? " rank" : " ranks") << ", evenly split)\n";
    out << "  per rank         " << bytes_text(bytes_per_rank()) << " = (" << format("%.1f", BYTES_PER_SYNAPSE)
        << " B x " << synapses << " synapses + " << format("%.0f", BYTES_PER_NEURON_STATE + BYTES_PER_NEURON_INPUT)
        << " B x " << neurons << " neurons + " << bytes_text(event_queue_bytes()) << " event queue) / " << ranks << "\n";
    out << "  event queue      " << delay_slots() << " delay slots, sized for " << format("%.0f", ESTIMATE_RATE_HZ)
        << " Hz mean firing; it grows with the spike traffic in flight\n";
    return out.str();
}

} // namespace dtb::brain
