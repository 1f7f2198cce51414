#pragma once
// How a caller steers a long computation: a cancel flag it may set from another thread,
// a progress callback (fraction 0..1, called from the computing thread), and the memory budget.
#include <atomic>
#include <cstdint>
#include <functional>

namespace attn {

struct ComputeControl {
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(double)> progress;
    uint64_t memoryLimitBytes = 0; // 0: half of physical memory

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void report(double fraction) const
    {
        if (progress)
            progress(fraction);
    }
};

} // namespace attn
