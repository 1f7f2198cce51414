#pragma once
// What a forward pass over a long prompt keeps instead of its maps (TransformerStack::trace): per
// layer the post-RoPE queries, the keys and values (one copy per kv head, not repeated for grouped
// queries), the layer's AttentionRule, and each row's softmax maximum and sum with the row statistics
// (StreamingAttention) — O(L·N·d) memory, never O(L·H·N²). Any map is recomputed from it exactly on
// request (AttentionMaps); the heads grid sorts by headStats without one.
#include "AttentionRule.h"
#include "HeadStats.h"
#include "StreamingAttention.h"
#include "Types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct LayerTrace {
    Matrix queries; // [N, heads * headDim], after the rotary embedding
    Matrix keys;    // [N, kvHeads * headDim], after the rotary embedding
    Matrix values;  // [N, kvHeads * headDim]
    AttentionRule rule;
    RowStatistics rows; // [heads][N]
};

struct AttentionTrace {
    int heads = 0;
    int kvHeads = 0;
    int tokens = 0;
    int headDim = 0;
    std::vector<LayerTrace> layers;
    std::vector<HeadStats> headStats; // [layer * heads + head]
    std::vector<int> tokenIds;
    std::vector<std::string> tokenLabels;
    std::vector<float> lastLogits; // causal language models: the prediction after the last token

    int layerCount() const { return static_cast<int>(layers.size()); }
    const HeadStats& stats(int layer, int head) const
    {
        return headStats[static_cast<size_t>(layer) * static_cast<size_t>(heads) + static_cast<size_t>(head)];
    }
    // The memory a trace of this shape holds: queries, keys, values and six floats per head and row.
    static uint64_t bytesFor(int layers, int tokens, int heads, int kvHeads, int headDim)
    {
        const uint64_t perLayer = static_cast<uint64_t>(tokens)
            * (static_cast<uint64_t>(heads + 2 * kvHeads) * static_cast<uint64_t>(headDim)
                + 6 * static_cast<uint64_t>(heads));
        return perLayer * static_cast<uint64_t>(layers) * sizeof(float);
    }
};

} // namespace attn
