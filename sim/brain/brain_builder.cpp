#include "sim/brain/brain_builder.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "sim/brain/atlas_label_names.hpp"
#include "sim/brain/brain_model_spec.hpp"
#include "sim/brain/connectome_labels.hpp"
#include "sim/brain/distance_rule_connectivity.hpp"
#include "sim/brain/neuron_allocation.hpp"
#include "sim/brain/nifti_volume.hpp"
#include "sim/brain/region_connectivity.hpp"
#include "sim/brain/region_to_voxel_connectivity.hpp"
#include "sim/brain/synaptic_density.hpp"
#include "sim/brain/voxel_table.hpp"

namespace dtb::brain {

namespace {

// The bundle's time step: delays shorter than one step are raised to it.
constexpr double MODEL_DT_MS = 0.1;

std::string default_model_name(const std::string& atlas_path)
{
    std::string stem = atlas_path.substr(atlas_path.find_last_of('/') + 1);
    for (const char* suffix : { ".gz", ".nii" })
        if (stem.size() > std::strlen(suffix) && stem.compare(stem.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
            stem.resize(stem.size() - std::strlen(suffix));
    std::string name = "brain_";
    for (char c : stem)
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
    return name;
}

template <typename T>
std::vector<T> keep(const std::vector<T>& values, const std::vector<bool>& kept, std::size_t per_entry = 1)
{
    std::vector<T> out;
    for (std::size_t v = 0; v < kept.size(); ++v)
        if (kept[v])
            out.insert(out.end(), values.begin() + static_cast<std::ptrdiff_t>(v * per_entry),
                values.begin() + static_cast<std::ptrdiff_t>((v + 1) * per_entry));
    return out;
}

} // namespace

BrainBuild build_brain(const BrainBuildOptions& options)
{
    check_brain_build_options(options);
    BrainBuild build;
    BrainReport& report = build.report;
    report.atlas_path = options.atlas_path;
    report.grey_matter_path = options.grey_matter_path;
    report.density_path = options.density_path;
    report.connectivity_path = options.connectivity_path;
    report.voxel_mm = options.regions ? 0 : options.voxel_mm;
    report.lambda_per_mm = options.lambda_per_mm;
    report.velocity_m_per_s = options.velocity_m_per_s;
    report.max_sources = options.max_sources;
    report.in_degree = options.in_degree;
    report.ranks = options.ranks;
    report.dt_ms = MODEL_DT_MS;

    // Connectivity first: a malformed matrix is reported before the slow steps.
    std::unique_ptr<RegionConnectivity> connectome;
    if (!options.connectivity_path.empty()) {
        connectome = std::make_unique<RegionConnectivity>(read_region_connectivity(options.connectivity_path));
        report.connectivity_format = connectome->format;
    }

    const NiftiVolume atlas = read_nifti_volume(options.atlas_path, "--atlas");
    report.atlas_orientation = atlas.orientation_source;
    std::unique_ptr<NiftiVolume> grey_matter_map, density_map;
    if (!options.grey_matter_path.empty())
        grey_matter_map = std::make_unique<NiftiVolume>(read_nifti_volume(options.grey_matter_path, "--grey-matter"));
    if (!options.density_path.empty())
        density_map = std::make_unique<NiftiVolume>(read_nifti_volume(options.density_path, "--density"));
    const AtlasImages images { &atlas, grey_matter_map.get(), density_map.get() };
    VoxelTable table = options.regions ? atlas_regions(images) : resample_atlas(images, options.voxel_mm);

    const InDegreeScaling scaling = scale_indegree_by_density(options.in_degree,
        density_map ? table.density_raw : std::vector<double>(), table.grey_matter, options.density_path);
    const NeuronAllocation allocation = allocate_neurons(options.neurons, table.grey_matter, scaling.indegree);
    double total_grey_matter = 0;
    for (double g : table.grey_matter)
        total_grey_matter += g;
    report.dropped_voxels = allocation.num_dropped;
    report.dropped_grey_matter_fraction = allocation.dropped_grey_matter / total_grey_matter;
    report.density_reference = scaling.reference;
    report.indegree_lower_bound = scaling.lower_bound;
    report.indegree_upper_bound = scaling.upper_bound;

    sim::BrainArrays& a = build.arrays;
    const auto& kept = allocation.kept;
    a.count_e = keep(allocation.count_e, kept);
    a.count_i = keep(allocation.count_i, kept);
    a.indegree = keep(scaling.indegree, kept);
    a.centre_mm = keep(table.centre_mm, kept, 3);
    a.label = keep(table.label, kept);
    a.grey_matter = keep(table.grey_matter, kept);
    a.density = keep(scaling.relative_density, kept);
    a.voxel_mm = table.voxel_mm;
    a.velocity_m_per_s = options.velocity_m_per_s;
    const std::size_t num_voxels = a.num_voxels();
    for (std::size_t v = 0; v < kept.size(); ++v)
        if (kept[v]) {
            const double unbounded = std::round(options.in_degree * scaling.relative_density[v]);
            report.clamped_low += unbounded < scaling.lower_bound;
            report.clamped_high += unbounded > scaling.upper_bound;
            report.without_density += density_map && !std::isfinite(table.density_raw[v]);
        }

    ConnectivitySettings settings;
    settings.velocity_m_per_s = options.velocity_m_per_s;
    settings.max_sources = options.max_sources;
    settings.min_delay_ms = MODEL_DT_MS;
    const auto atlas_names = read_atlas_label_names(options.atlas_path);
    VoxelConnectivity connectivity;
    if (connectome) {
        const ConnectomeLabelMatch match = match_connectome_labels(
            connectome->labels, a.label, atlas_names, options.connectivity_path, options.atlas_path);
        report.unused_connectome_labels = match.unused;
        std::vector<std::size_t> region_of_voxel(num_voxels);
        for (std::size_t v = 0; v < num_voxels; ++v)
            region_of_voxel[v] = match.row_of_label.at(a.label[v]);
        connectivity = map_region_connectivity(region_of_voxel, connectome->size(), connectome->weights,
            connectome->tract_lengths_mm, a.centre_mm, a.count_e, settings);
        a.connectivity_kind = "dti";
    } else {
        connectivity = exponential_distance_rule(a.centre_mm, a.count_e, options.lambda_per_mm, settings);
        a.connectivity_kind = "exponential_distance_rule";
    }
    report.connectivity_kind = a.connectivity_kind;
    report.truncated_rows = connectivity.truncated_rows;
    report.kept_weight_fraction = connectivity.kept_weight_fraction;
    report.delays_from_distance = connectivity.delays_from_distance;
    a.row_ptr = std::move(connectivity.row_ptr);
    a.source = std::move(connectivity.source);
    a.weight = std::move(connectivity.weight);
    a.delay_ms = std::move(connectivity.delay_ms);

    // The engine draws every neuron's long-range sources from its voxel's
    // row, so a voxel without one cannot be built.
    std::vector<std::string> isolated;
    for (std::size_t v = 0; v < num_voxels; ++v)
        if (a.row_ptr[v + 1] == a.row_ptr[v] && split_indegree(a.indegree[v]).long_range > 0) {
            const auto name = atlas_names.find(a.label[v]);
            const std::string text = std::to_string(a.label[v]) + (name != atlas_names.end() ? " (" + name->second + ")" : "");
            if (std::find(isolated.begin(), isolated.end(), text) == isolated.end())
                isolated.push_back(text);
        }
    if (!isolated.empty()) {
        std::string list;
        for (std::size_t i = 0; i < isolated.size() && i < 10; ++i)
            list += (i ? ", " : "") + isolated[i];
        if (connectome)
            throw std::runtime_error("--connectivity " + options.connectivity_path + ": region(s) " + list
                + " have no connection (weight > 0) from any other region of the model; allowed: a connectome in "
                  "which every region receives long-range input (each neuron draws 2/7 of its synapses from it)");
        throw std::runtime_error("--atlas " + options.atlas_path + ": the model has " + std::to_string(num_voxels)
            + " voxel(s); allowed: at least 2, since 2/7 of each neuron's synapses come from other voxels");
    }

    // Region table: the labels present, with names where the atlas has them.
    const std::set<std::int64_t> labels(a.label.begin(), a.label.end());
    for (std::int64_t label : labels) {
        a.region_label.push_back(label);
        const auto name = atlas_names.find(label);
        a.region_name.push_back(name != atlas_names.end() ? name->second : std::to_string(label));
    }
    sim::check_brain_arrays(a, "dtb build-brain (internal check)");

    // Report numbers.
    report.num_voxels = num_voxels;
    report.num_regions = labels.size();
    report.min_neurons_per_voxel = ~std::uint64_t(0);
    double weighted_indegree = 0;
    for (std::size_t v = 0; v < num_voxels; ++v) {
        const std::uint64_t n = a.count_e[v] + a.count_i[v];
        report.excitatory += a.count_e[v];
        report.inhibitory += a.count_i[v];
        report.min_neurons_per_voxel = std::min(report.min_neurons_per_voxel, n);
        report.max_neurons_per_voxel = std::max(report.max_neurons_per_voxel, n);
        report.grey_matter_mm3 += a.grey_matter[v];
        const InDegreeSplit split = split_indegree(a.indegree[v]);
        report.local_excitatory += n * split.local_e;
        report.local_inhibitory += n * split.local_i;
        report.long_range += n * split.long_range;
        report.synapses += n * a.indegree[v];
        weighted_indegree += static_cast<double>(n) * a.indegree[v];
        if (a.row_ptr[v + 1] == a.row_ptr[v])
            ++report.empty_rows;
    }
    report.neurons = report.excitatory + report.inhibitory;
    report.mean_indegree = weighted_indegree / static_cast<double>(report.neurons);
    report.min_indegree = *std::min_element(a.indegree.begin(), a.indegree.end());
    report.max_indegree = *std::max_element(a.indegree.begin(), a.indegree.end());
    report.connectivity_entries = a.source.size();
    if (!a.delay_ms.empty()) {
        report.min_delay_ms = *std::min_element(a.delay_ms.begin(), a.delay_ms.end());
        report.max_delay_ms = *std::max_element(a.delay_ms.begin(), a.delay_ms.end());
        double sum = 0;
        for (double d : a.delay_ms)
            sum += d;
        report.mean_delay_ms = sum / static_cast<double>(a.delay_ms.size());
    }

    BrainModelSpec spec;
    spec.name = options.model_name.empty() ? default_model_name(options.atlas_path) : options.model_name;
    spec.num_excitatory = report.excitatory;
    spec.num_inhibitory = report.inhibitory;
    spec.dt_ms = MODEL_DT_MS;
    build.model_yaml = brain_model_yaml(spec);
    return build;
}

} // namespace dtb::brain
