#pragma once
// The one entry point for "compute attention for this input": engine inputs (text, sequences)
// go through InputBuilder + AttentionEngine, checkpoints through ModelRunner. Used by the GUI's
// worker and every headless command, so all of them behave the same.
#include "AttentionResult.h"
#include "ComputeControl.h"
#include "Expected.h"
#include "InputSpec.h"
#include "Mechanism.h"

namespace attn {

class AttentionComputer {
public:
    static Expected<AttentionResult> compute(
        const InputSpec& input, const Mechanism& mechanism, const ComputeControl& control = {});
};

} // namespace attn
