#pragma once
// The token-level choices that apply to every view at once: drop special tokens, drop the first
// (sink) token (TokenFilter: dropped as keys and queries, rows renormalised), then merge subwords
// into words (WordAggregation: TO a word = sum over its tokens, FROM a word = mean). Filtering
// comes first so a dropped [CLS] never joins a word. With nothing chosen the result is unchanged.
#include "AttentionResult.h"
#include "Expected.h"
#include "TokenFilter.h"

namespace attn {

struct TokenViewOptions {
    TokenFilterOptions filter;
    bool mergeWords = false;
    bool any() const { return filter.any() || mergeWords; }
};

class TokenView {
public:
    static Expected<AttentionResult> apply(const AttentionResult& result, const TokenViewOptions& options);
};

} // namespace attn
