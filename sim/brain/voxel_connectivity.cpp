#include "sim/brain/voxel_connectivity.hpp"

#include <algorithm>

namespace dtb::brain {

VoxelConnectivity assemble_connectivity(std::vector<std::vector<ConnectionEntry>>& rows)
{
    VoxelConnectivity out;
    out.row_ptr.assign(rows.size() + 1, 0);
    for (std::size_t v = 0; v < rows.size(); ++v) {
        auto& row = rows[v];
        std::sort(row.begin(), row.end(),
            [](const ConnectionEntry& a, const ConnectionEntry& b) { return a.source < b.source; });
        double sum = 0;
        for (const auto& entry : row)
            sum += entry.weight;
        if (!(sum > 0))
            row.clear();
        for (auto& entry : row)
            entry.weight /= sum;
        out.row_ptr[v + 1] = out.row_ptr[v] + row.size();
    }
    const std::uint64_t nnz = out.row_ptr.back();
    out.source.reserve(nnz);
    out.weight.reserve(nnz);
    out.delay_ms.reserve(nnz);
    for (auto& row : rows) {
        for (const auto& entry : row) {
            out.source.push_back(entry.source);
            out.weight.push_back(entry.weight);
            out.delay_ms.push_back(entry.delay_ms);
        }
        std::vector<ConnectionEntry>().swap(row);
    }
    return out;
}

} // namespace dtb::brain
