#include "comm/spike_gather.hpp"

#include <algorithm>

namespace dtb::comm {

SpikeGather::SpikeGather(Communicator& comm, sim::SpikeObserver* downstream, int root)
    : comm_(comm)
    , downstream_(downstream)
    , root_(root)
{
}

void SpikeGather::on_interval(std::uint64_t first_step, std::uint64_t num_steps, const std::vector<sim::SpikeEvent>& spikes)
{
    if (num_steps_ == 0)
        first_step_ = first_step;
    num_steps_ = first_step + num_steps - first_step_;
    for (const auto& e : spikes) {
        buffered_.push_back(e.step);
        buffered_.push_back(e.gid);
    }
}

void SpikeGather::flush()
{
    const std::vector<std::uint64_t> all = comm_.gather(buffered_, root_);
    buffered_.clear();
    if (comm_.rank() == root_ && downstream_ != nullptr) {
        merged_.resize(all.size() / 2);
        for (std::size_t i = 0; i < merged_.size(); ++i)
            merged_[i] = sim::SpikeEvent{all[2 * i], all[2 * i + 1]};
        std::sort(merged_.begin(), merged_.end());
        downstream_->on_interval(first_step_, num_steps_, merged_);
    }
    num_steps_ = 0;
}

} // namespace dtb::comm
