#pragma once
// Turns one forward pass of a checkpoint (ModelAttention) into the AttentionResult every view reads:
// the maps [L][H][N][N], per-head queries/keys/values, labels, and a mechanism that says what the
// model computed (scaled dot product, softmax, causal or not, projections from the file).
#include "AttentionResult.h"
#include "AttentionTrace.h"
#include "ModelAttention.h"

#include <string>
#include <utility>
#include <vector>

namespace attn {

class ModelResultBuilder {
public:
    static AttentionResult build(ModelAttention& attention, int modelDim, bool causal, const std::string& projectionFile);
    // The same from a trace, the maps made on request within `budgetBytes` (AttentionResult::maps).
    static AttentionResult build(
        AttentionTrace trace, int modelDim, bool causal, const std::string& projectionFile, uint64_t budgetBytes);
    // The most likely next token and its softmax probability.
    static std::pair<int, float> argmaxWithProbability(const std::vector<float>& logits);
};

} // namespace attn
