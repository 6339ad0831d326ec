#include "sim/sonata_spike_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/hdf5_support.hpp"

namespace dtb::sim {

namespace detail {
// Same as write_sonata_spikes, with the memory budget and chunk size made
// explicit so that tests can drive the batched and slab-streamed paths with
// small inputs. Not part of the public header on purpose.
void write_sonata_spikes_tuned(const std::string& path,
    const std::vector<PopulationRange>& populations, const std::vector<SpikeEvent>& spikes,
    double dt_ms, std::uint64_t max_buffered_events, std::uint64_t chunk_events);
} // namespace detail

namespace {

// SONATA magic number and format version (references.md section 6).
constexpr std::uint32_t SONATA_MAGIC = 0x0A7A;
constexpr std::uint32_t SONATA_VERSION[2] = { 0, 1 };
enum SonataSorting : std::int8_t { SORTING_NONE = 0, SORTING_BY_ID = 1, SORTING_BY_TIME = 2 };

// 2^23 events = 128 MiB of timestamps + node ids: large enough that 10^8
// spikes need about a dozen scans, small enough to share a node with the run.
constexpr std::uint64_t DEFAULT_MAX_BUFFERED_EVENTS = std::uint64_t(1) << 23;
// 2^16 elements = 512 KiB per chunk of 8-byte values: fits HDF5's default
// 1 MiB chunk cache, and is big enough for deflate to do well.
constexpr std::uint64_t DEFAULT_CHUNK_EVENTS = std::uint64_t(1) << 16;
// Time stamps are (step + 1) * dt as doubles; beyond 2^53 steps they would no
// longer identify the step.
constexpr std::uint64_t MAX_STEP = (std::uint64_t(1) << 53) - 1;

using hdf5::Hdf5ErrorPrintingOff;
using hdf5::Hdf5Failure;
using hdf5::Hdf5Handle;

void write_root_attributes(const Hdf5Failure& failure, hid_t file)
{
    hdf5::write_scalar_attribute(
        failure, file, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, &SONATA_MAGIC, "attribute magic");
    const hsize_t two = 2;
    Hdf5Handle space(failure.check_id(H5Screate_simple(1, &two, nullptr),
                         "H5Screate_simple (attribute version)"),
        H5Sclose);
    Hdf5Handle attribute(failure.check_id(H5Acreate2(file, "version", H5T_STD_U32LE, space.get(),
                                              H5P_DEFAULT, H5P_DEFAULT),
                             "H5Acreate2 (attribute version)"),
        H5Aclose);
    failure.check(H5Awrite(attribute.get(), H5T_NATIVE_UINT32, SONATA_VERSION),
        "H5Awrite (attribute version)");
}

// The SONATA `sorting` attribute is an HDF5 enum over int8, not a plain int.
void write_sorting_attribute(const Hdf5Failure& failure, hid_t group, SonataSorting sorting)
{
    Hdf5Handle type(
        failure.check_id(H5Tenum_create(H5T_NATIVE_INT8), "H5Tenum_create (sorting)"), H5Tclose);
    const std::pair<const char*, std::int8_t> members[]
        = { { "none", SORTING_NONE }, { "by_id", SORTING_BY_ID }, { "by_time", SORTING_BY_TIME } };
    for (const auto& [name, value] : members)
        failure.check(H5Tenum_insert(type.get(), name, &value), "H5Tenum_insert (sorting)");
    const std::int8_t value = sorting;
    hdf5::write_scalar_attribute(
        failure, group, "sorting", type.get(), type.get(), &value, "attribute sorting");
}

struct DatasetLayout {
    std::uint64_t chunk_events = DEFAULT_CHUNK_EVENTS;
    bool deflate_available = false;
};

// A 1-D dataset of exactly `count` elements. Small ones are contiguous (also
// the zero-length ones, which h5py reads as shape (0,)); from one chunk up
// they are chunked, shuffled and deflated, which roughly quarters spike files:
// the fast deflate level with the shuffle filter in front already shrinks
// sorted timestamps and small local ids about 14x (10^8 spikes in 200
// populations: 1.6 GB raw, 115 MB on disk).
Hdf5Handle create_dataset(const Hdf5Failure& failure, hid_t group, const char* name,
    hid_t file_type, std::uint64_t count, const DatasetLayout& layout)
{
    hdf5::DatasetStorage storage;
    if (count >= layout.chunk_events) {
        storage.chunk_rows = layout.chunk_events;
        storage.compress = layout.deflate_available;
    }
    return hdf5::create_dataset(failure, group, name, file_type, count, 1, storage,
        std::string("dataset ") + name);
}

// Writes values[0, n) to elements [offset, offset + n) of a 1-D dataset.
void write_slab(const Hdf5Failure& failure, hid_t dataset, const char* name, hid_t memory_type,
    const void* values, std::uint64_t offset, std::uint64_t n)
{
    if (n == 0)
        return;
    const std::string where = std::string(" (dataset ") + name + ")";
    Hdf5Handle file_space(
        failure.check_id(H5Dget_space(dataset), "H5Dget_space" + where), H5Sclose);
    const hsize_t start = offset;
    const hsize_t count = n;
    failure.check(
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr),
        "H5Sselect_hyperslab" + where);
    Hdf5Handle memory_space(
        failure.check_id(H5Screate_simple(1, &count, nullptr), "H5Screate_simple" + where),
        H5Sclose);
    failure.check(
        H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, values),
        "H5Dwrite" + where);
}

// One population being written: its group, its two datasets, and how many
// of its events are in the file so far.
class PopulationOutput {
public:
    PopulationOutput(const Hdf5Failure& failure, hid_t spikes_group, const std::string& name,
        std::uint64_t count, const DatasetLayout& layout)
        : failure_(&failure)
        , group_(failure.check_id(
                     H5Gcreate2(spikes_group, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     "H5Gcreate2 (group /spikes/" + name + ")"),
              H5Gclose)
        , timestamps_(
              create_dataset(failure, group_.get(), "timestamps", H5T_IEEE_F64LE, count, layout))
        , node_ids_(create_dataset(failure, group_.get(), "node_ids", H5T_STD_U64LE, count, layout))
    {
        // Events come in (step, gid) order, so every population is time-sorted.
        write_sorting_attribute(failure, group_.get(), SORTING_BY_TIME);
        hdf5::write_string_attribute(
            failure, timestamps_.get(), "units", "ms", "attribute units");
    }

    void append(const std::vector<double>& timestamps, const std::vector<std::uint64_t>& node_ids,
        std::uint64_t n)
    {
        write_slab(*failure_, timestamps_.get(), "timestamps", H5T_NATIVE_DOUBLE, timestamps.data(),
            written_, n);
        write_slab(*failure_, node_ids_.get(), "node_ids", H5T_NATIVE_UINT64, node_ids.data(),
            written_, n);
        written_ += n;
    }

    void close()
    {
        node_ids_.close(*failure_, "H5Dclose (node_ids)");
        timestamps_.close(*failure_, "H5Dclose (timestamps)");
        group_.close(*failure_, "H5Gclose");
    }

private:
    const Hdf5Failure* failure_;
    Hdf5Handle group_;
    Hdf5Handle timestamps_;
    Hdf5Handle node_ids_;
    std::uint64_t written_ = 0;
};

// Populations that hold neurons, sorted by first gid, to find a spike's
// population by binary search.
class PopulationLookup {
public:
    explicit PopulationLookup(const std::vector<PopulationRange>& populations)
        : populations_(&populations)
    {
        for (std::size_t p = 0; p < populations.size(); ++p)
            if (populations[p].size > 0)
                order_.push_back(p);
        std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
            return populations[a].first_gid < populations[b].first_gid;
        });
    }

    // Index into `populations` of the population holding gid, or npos.
    std::size_t find(std::uint64_t gid) const
    {
        const std::size_t position = find_position(gid, 0, order_.size());
        return position == npos ? npos : order_[position];
    }

    // Position in order() of the population holding gid, searching only
    // order()[begin, end); npos if none of those holds it.
    std::size_t find_position(std::uint64_t gid, std::size_t begin, std::size_t end) const
    {
        const auto& populations = *populations_;
        const auto first = order_.begin() + static_cast<std::ptrdiff_t>(begin);
        const auto last = order_.begin() + static_cast<std::ptrdiff_t>(end);
        auto it = std::upper_bound(first, last, gid,
            [&](std::uint64_t g, std::size_t p) { return g < populations[p].first_gid; });
        if (it == first)
            return npos;
        --it;
        return populations[*it].contains(gid) ? static_cast<std::size_t>(it - order_.begin())
                                              : npos;
    }

    const std::vector<std::size_t>& order() const { return order_; }
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    const std::vector<PopulationRange>* populations_;
    std::vector<std::size_t> order_;
};

std::string describe(const SpikeEvent& event)
{
    return "(step " + std::to_string(event.step) + ", gid " + std::to_string(event.gid) + ")";
}

void validate_populations(const std::string& path, const std::vector<PopulationRange>& populations)
{
    const std::string prefix = "SONATA spike file '" + path + "': ";
    std::vector<std::string> names;
    for (const auto& population : populations) {
        // The name becomes an HDF5 link under /spikes.
        if (population.name.empty() || population.name == "."
            || population.name.find('/') != std::string::npos)
            throw std::invalid_argument(prefix + "population name '" + population.name
                + "' cannot be an HDF5 group name: it must be non-empty, "
                  "not '.', and without '/'");
        if (population.size > std::numeric_limits<std::uint64_t>::max() - population.first_gid)
            throw std::invalid_argument(prefix + "population '" + population.name
                + "' runs past the largest gid (first_gid " + std::to_string(population.first_gid)
                + ", size " + std::to_string(population.size) + ")");
        names.push_back(population.name);
    }
    std::sort(names.begin(), names.end());
    const auto duplicate = std::adjacent_find(names.begin(), names.end());
    if (duplicate != names.end())
        throw std::invalid_argument(prefix + "population name '" + *duplicate + "' appears twice");

    const PopulationLookup lookup(populations);
    const auto& order = lookup.order();
    for (std::size_t i = 1; i < order.size(); ++i) {
        const auto& previous = populations[order[i - 1]];
        const auto& current = populations[order[i]];
        if (previous.first_gid + previous.size > current.first_gid)
            throw std::invalid_argument(prefix + "populations '" + previous.name + "' and '"
                + current.name + "' share gids");
    }
}

void validate_dt(const std::string& path, double dt_ms)
{
    if (!(std::isfinite(dt_ms) && dt_ms > 0.0))
        throw std::invalid_argument("SONATA spike file '" + path
            + "': dt_ms must be a positive finite number, got " + std::to_string(dt_ms));
}

// One pass over the spikes: checks the documented preconditions (sorted by
// (step, gid), every gid in a population, step representable) before the
// file exists, and counts each population's spikes to size its datasets.
std::vector<std::uint64_t> count_spikes(const std::string& path,
    const std::vector<PopulationRange>& populations, const PopulationLookup& lookup,
    const std::vector<SpikeEvent>& spikes)
{
    const std::string prefix = "SONATA spike file '" + path + "': ";
    std::vector<std::uint64_t> counts(populations.size(), 0);
    std::size_t cached = PopulationLookup::npos; // consecutive spikes often share a population
    for (std::size_t i = 0; i < spikes.size(); ++i) {
        const SpikeEvent& event = spikes[i];
        if (i > 0 && !(spikes[i - 1] < event))
            throw std::invalid_argument(prefix
                + "spikes must be sorted by (step, gid) without duplicates; "
                + describe(spikes[i - 1]) + " is followed by " + describe(event));
        if (event.step > MAX_STEP)
            throw std::invalid_argument(prefix + "spike " + describe(event)
                + " has a step too large for a float64 time stamp");
        if (cached == PopulationLookup::npos || !populations[cached].contains(event.gid)) {
            cached = lookup.find(event.gid);
            if (cached == PopulationLookup::npos)
                throw std::invalid_argument(
                    prefix + "spike " + describe(event) + " belongs to no population");
        }
        ++counts[cached];
    }
    return counts;
}

// Writes populations order[begin, end) (indices into `populations`, sorted by
// first gid) with one scan of `spikes`, holding all their events at once.
void write_batch(const Hdf5Failure& failure, hid_t spikes_group,
    const std::vector<PopulationRange>& populations, const PopulationLookup& lookup,
    std::size_t begin, std::size_t end, const std::vector<std::uint64_t>& counts,
    const std::vector<SpikeEvent>& spikes, double dt_ms, const DatasetLayout& layout)
{
    const auto& order = lookup.order();
    const std::size_t n = end - begin;
    std::vector<std::vector<double>> timestamps(n);
    std::vector<std::vector<std::uint64_t>> node_ids(n);
    std::uint64_t total = 0;
    for (std::size_t k = 0; k < n; ++k) {
        timestamps[k].reserve(counts[order[begin + k]]);
        node_ids[k].reserve(counts[order[begin + k]]);
        total += counts[order[begin + k]];
    }
    if (total > 0) {
        const std::uint64_t lowest_gid = populations[order[begin]].first_gid;
        const auto& last = populations[order[end - 1]];
        const std::uint64_t end_gid = last.first_gid + last.size;
        for (const SpikeEvent& event : spikes) {
            if (event.gid < lowest_gid || event.gid >= end_gid)
                continue;
            const std::size_t position = lookup.find_position(event.gid, begin, end);
            if (position == PopulationLookup::npos)
                continue; // a gap between the batch's populations
            const std::size_t k = position - begin;
            const std::size_t p = order[position];
            timestamps[k].push_back(static_cast<double>(event.step + 1) * dt_ms);
            node_ids[k].push_back(event.gid - populations[p].first_gid);
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t p = order[begin + k];
        PopulationOutput output(failure, spikes_group, populations[p].name, counts[p], layout);
        output.append(timestamps[k], node_ids[k], timestamps[k].size());
        output.close();
        // Free as we go: the batch's memory shrinks while it is written.
        std::vector<double>().swap(timestamps[k]);
        std::vector<std::uint64_t>().swap(node_ids[k]);
    }
}

// Writes one population with more events than the buffer holds: one scan of
// `spikes`, flushing a buffer-full (a whole number of chunks) at a time.
void write_streamed(const Hdf5Failure& failure, hid_t spikes_group,
    const PopulationRange& population, std::uint64_t count, const std::vector<SpikeEvent>& spikes,
    double dt_ms, std::uint64_t max_buffered_events, const DatasetLayout& layout)
{
    PopulationOutput output(failure, spikes_group, population.name, count, layout);
    std::vector<double> timestamps;
    std::vector<std::uint64_t> node_ids;
    timestamps.reserve(max_buffered_events);
    node_ids.reserve(max_buffered_events);
    for (const SpikeEvent& event : spikes) {
        if (!population.contains(event.gid))
            continue;
        timestamps.push_back(static_cast<double>(event.step + 1) * dt_ms);
        node_ids.push_back(event.gid - population.first_gid);
        if (timestamps.size() == max_buffered_events) {
            output.append(timestamps, node_ids, timestamps.size());
            timestamps.clear();
            node_ids.clear();
        }
    }
    output.append(timestamps, node_ids, timestamps.size());
    output.close();
}

void write_spike_file(const std::string& path, const std::vector<PopulationRange>& populations,
    const std::vector<SpikeEvent>& spikes, double dt_ms, std::uint64_t max_buffered_events,
    std::uint64_t chunk_events)
{
    validate_dt(path, dt_ms);
    validate_populations(path, populations);
    if (chunk_events == 0 || max_buffered_events == 0)
        throw std::invalid_argument(
            "SONATA spike file '" + path + "': buffer and chunk sizes must be positive");
    // Streamed slabs must cover whole chunks, so that no chunk is written
    // twice (a partial deflated chunk would be decompressed and rewritten).
    max_buffered_events = std::max(chunk_events, max_buffered_events / chunk_events * chunk_events);

    const PopulationLookup lookup(populations);
    const std::vector<std::uint64_t> counts = count_spikes(path, populations, lookup, spikes);

    const Hdf5Failure failure("SONATA spike file", path);
    const Hdf5ErrorPrintingOff quiet;
    DatasetLayout layout;
    layout.chunk_events = chunk_events;
    layout.deflate_available = hdf5::deflate_available();

    Hdf5Handle file(
        failure.check_id(
            H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate"),
        H5Fclose);
    write_root_attributes(failure, file.get());
    {
        Hdf5Handle spikes_group(failure.check_id(H5Gcreate2(file.get(), "spikes", H5P_DEFAULT,
                                                     H5P_DEFAULT, H5P_DEFAULT),
                                    "H5Gcreate2 (group /spikes)"),
            H5Gclose);

        // Populations without neurons have no spikes; they still get a group.
        for (const auto& population : populations)
            if (population.size == 0) {
                PopulationOutput output(failure, spikes_group.get(), population.name, 0, layout);
                output.close();
            }

        // Group neighbouring populations (by gid) into batches whose events
        // fit the buffer: each batch costs one scan of `spikes`. A population
        // larger than the buffer is streamed on its own.
        const auto& order = lookup.order();
        std::size_t begin = 0;
        while (begin < order.size()) {
            if (counts[order[begin]] > max_buffered_events) {
                write_streamed(failure, spikes_group.get(), populations[order[begin]],
                    counts[order[begin]], spikes, dt_ms, max_buffered_events, layout);
                ++begin;
                continue;
            }
            std::size_t end = begin;
            std::uint64_t batch_events = 0;
            while (end < order.size() && counts[order[end]] <= max_buffered_events
                && batch_events + counts[order[end]] <= max_buffered_events) {
                batch_events += counts[order[end]];
                ++end;
            }
            write_batch(failure, spikes_group.get(), populations, lookup, begin, end, counts,
                spikes, dt_ms, layout);
            begin = end;
        }
        spikes_group.close(failure, "H5Gclose (group /spikes)");
    }
    file.close(failure, "H5Fclose");
}

// Reads a whole 1-D dataset, converting to `memory_type`.
template <typename T>
std::vector<T> read_dataset(const Hdf5Failure& failure, hid_t group, const std::string& group_path,
    const char* name, hid_t memory_type)
{
    const std::string where = " (dataset " + group_path + "/" + name + ")";
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
        failure.raise_format("dataset " + group_path + "/" + name + " is missing");
    Hdf5Handle dataset(
        failure.check_id(H5Dopen2(group, name, H5P_DEFAULT), "H5Dopen2" + where), H5Dclose);
    Hdf5Handle space(
        failure.check_id(H5Dget_space(dataset.get()), "H5Dget_space" + where), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        failure.raise("H5Sget_simple_extent_ndims" + where);
    if (rank != 1)
        failure.raise_format("dataset " + group_path + "/" + name + " has rank "
            + std::to_string(rank) + ", expected 1");
    hsize_t length = 0;
    if (H5Sget_simple_extent_dims(space.get(), &length, nullptr) < 0)
        failure.raise("H5Sget_simple_extent_dims" + where);
    std::vector<T> values(length);
    if (length > 0)
        failure.check(
            H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "H5Dread" + where);
    return values;
}

} // namespace

namespace detail {
void write_sonata_spikes_tuned(const std::string& path,
    const std::vector<PopulationRange>& populations, const std::vector<SpikeEvent>& spikes,
    double dt_ms, std::uint64_t max_buffered_events, std::uint64_t chunk_events)
{
    write_spike_file(path, populations, spikes, dt_ms, max_buffered_events, chunk_events);
}
} // namespace detail

void write_sonata_spikes(const std::string& path, const std::vector<PopulationRange>& populations,
    const std::vector<SpikeEvent>& spikes, double dt_ms)
{
    write_spike_file(
        path, populations, spikes, dt_ms, DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_CHUNK_EVENTS);
}

std::vector<SpikeEvent> read_sonata_spikes(
    const std::string& path, const std::vector<PopulationRange>& populations, double dt_ms)
{
    validate_dt(path, dt_ms);
    validate_populations(path, populations);
    const Hdf5Failure failure("SONATA spike file", path);
    const Hdf5ErrorPrintingOff quiet;

    Hdf5Handle file(
        failure.check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen"), H5Fclose);
    {
        if (H5Aexists(file.get(), "magic") <= 0)
            failure.raise_format("no root attribute 'magic'; not a SONATA file");
        std::uint32_t magic = 0;
        hdf5::read_scalar_attribute(
            failure, file.get(), "magic", H5T_NATIVE_UINT32, &magic, "attribute magic");
        if (magic != SONATA_MAGIC)
            failure.raise_format("root attribute 'magic' is " + std::to_string(magic)
                + ", expected " + std::to_string(SONATA_MAGIC) + "; not a SONATA file");
    }

    std::vector<SpikeEvent> events;
    for (const auto& population : populations) {
        const std::string group_path = "/spikes/" + population.name;
        // H5Lexists on a nested path fails if /spikes itself is missing.
        if (H5Lexists(file.get(), "spikes", H5P_DEFAULT) <= 0
            || H5Lexists(file.get(), group_path.c_str(), H5P_DEFAULT) <= 0)
            failure.raise_format(
                "population '" + population.name + "' not found (no group " + group_path + ")");
        Hdf5Handle group(failure.check_id(H5Gopen2(file.get(), group_path.c_str(), H5P_DEFAULT),
                             "H5Gopen2 (group " + group_path + ")"),
            H5Gclose);
        const auto node_ids = read_dataset<std::uint64_t>(
            failure, group.get(), group_path, "node_ids", H5T_NATIVE_UINT64);
        const auto timestamps = read_dataset<double>(
            failure, group.get(), group_path, "timestamps", H5T_NATIVE_DOUBLE);
        if (node_ids.size() != timestamps.size())
            failure.raise_format(group_path + " has " + std::to_string(node_ids.size())
                + " node_ids but " + std::to_string(timestamps.size()) + " timestamps");
        events.reserve(events.size() + node_ids.size());
        for (std::size_t i = 0; i < node_ids.size(); ++i) {
            if (node_ids[i] >= population.size)
                failure.raise_format(group_path + "/node_ids[" + std::to_string(i)
                    + "] = " + std::to_string(node_ids[i]) + " is not below the population size "
                    + std::to_string(population.size));
            // Time stamps are (step + 1) * dt; anything off that grid by more
            // than rounding was not written with this dt.
            const double steps = timestamps[i] / dt_ms;
            const double whole_steps = std::nearbyint(steps);
            if (!(whole_steps >= 1.0 && whole_steps <= static_cast<double>(MAX_STEP) + 1.0
                    && std::fabs(steps - whole_steps) <= 1e-3))
                failure.raise_format(group_path + "/timestamps[" + std::to_string(i)
                    + "] = " + std::to_string(timestamps[i])
                    + " ms is not a positive multiple of dt = " + std::to_string(dt_ms) + " ms");
            events.push_back({ static_cast<std::uint64_t>(whole_steps) - 1,
                population.first_gid + node_ids[i] });
        }
    }
    file.close(failure, "H5Fclose");
    std::sort(events.begin(), events.end());
    return events;
}

} // namespace dtb::sim
