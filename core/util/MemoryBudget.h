#pragma once
// The memory budget a computation may use when its caller sets none (ComputeControl::memoryLimitBytes
// == 0): half of the machine's physical memory, 4 GiB when that cannot be read.
#include <cstdint>

namespace attn {

uint64_t defaultMemoryLimit();

// The budget of a computation: the caller's limit, or defaultMemoryLimit() when it set none.
inline uint64_t memoryLimitOr(uint64_t requested)
{
    return requested ? requested : defaultMemoryLimit();
}

} // namespace attn
