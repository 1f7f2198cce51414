#pragma once
// Serialises a result for `dump` and the GUI's matrix exports. Returns bytes; the caller writes
// them atomically (QSaveFile in the app), so a failure never leaves a partial file.
//   weightsNpy: float32 [L, H, Nq, Nk]
//   outputNpy:  float32 [rows, E] (the final output)
//   json:       {"tokens", "query_tokens", "shape", "attention" (nested lists), "output",
//                "mechanism", "masked" (list of [query, key] pairs when few, else omitted)}
//   weightsCsv: one head as a matrix with token labels in the first row and column
#include "AttentionResult.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attn {

class ResultExport {
public:
    static std::string weightsNpy(const AttentionResult& result);
    static std::string outputNpy(const AttentionResult& result);
    static std::string json(const AttentionResult& result);
    // {"tokens": [...], "query_tokens": [...]} (and "next_token" for causal language models; "ids" and
    // "special" (1 for BOS, [CLS], [SEP], EOS, padding) for checkpoints)
    static std::string tokensJson(const AttentionResult& result);
    static std::string weightsCsv(const AttentionResult& result, int layer, int head);
    // A .npy of the selected layers and heads, [layers.size(), heads.size(), Nq, Nk] float32, handed to
    // `sink` piece by piece: the header, then each map in tiles of 64 rows (held maps copied, maps on
    // demand made a tile at a time), so even a long prompt's 20 GB of maps never sit in memory. Returns
    // false as soon as the sink does. Empty lists: every layer / every head. Same bytes as weightsNpy.
    using ByteSink = std::function<bool(const char* data, size_t size)>;
    static bool streamWeightsNpy(const AttentionResult& result, const std::vector<int>& layers,
        const std::vector<int>& heads, const ByteSink& sink);
    // About the memory json() takes for a result (the tree of every weight and its text, ~48 bytes a
    // weight), so a caller can refuse a long prompt's JSON up front.
    static uint64_t jsonBytes(const AttentionResult& result);
};

} // namespace attn
