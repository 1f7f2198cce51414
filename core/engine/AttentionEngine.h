#pragma once
// Runs one attention layer over an input: projections -> Q, K, V per head -> scores -> scope and
// masks -> normaliser (with the dynamic gate or temperature) -> combination -> W_O.
// Validates the mechanism against the input first; every failure is an Error naming the
// parameter and what to change.
#include "AttentionInput.h"
#include "AttentionResult.h"
#include "ComputeControl.h"
#include "Expected.h"
#include "Mechanism.h"

namespace attn {

class AttentionEngine {
public:
    // Maps with at least this many queries and keys also get AttentionResult::lodMax, blocks of
    // kLodBlock x kLodBlock cells (16384 -> 2048 per side, 1/64 of the map).
    static constexpr int kLodMinSide = 8192;
    static constexpr int kLodBlock = 8;

    static Expected<AttentionResult> compute(
        const AttentionInput& input, const Mechanism& mechanism, const ComputeControl& control = {});

    // Bytes the attention maps of a computation will hold (weights, plus raw scores when kept).
    static uint64_t mapBytes(const Mechanism& mechanism, int queryCount, int keyCount, int heads);
    // The budget used when ComputeControl::memoryLimitBytes is 0: half of physical memory.
    static uint64_t defaultMemoryLimit();
};

} // namespace attn
