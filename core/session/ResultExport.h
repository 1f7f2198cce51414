#pragma once
// Serialises a result for `dump` and the GUI's matrix exports. Returns bytes; the caller writes
// them atomically (QSaveFile in the app), so a failure never leaves a partial file.
//   weightsNpy: float32 [L, H, Nq, Nk]
//   outputNpy:  float32 [rows, E] (the final output)
//   json:       {"tokens", "query_tokens", "shape", "attention" (nested lists), "output",
//                "mechanism", "masked" (list of [query, key] pairs when few, else omitted)}
//   weightsCsv: one head as a matrix with token labels in the first row and column
#include "AttentionResult.h"

#include <string>

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
};

} // namespace attn
