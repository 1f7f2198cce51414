#pragma once
// Drops tokens from an attention result so every view can show the map without them: special
// tokens (AttentionResult::specialTokens for checkpoints; for the engine, labels such as [CLS],
// [SEP], [PAD], <s>, </s>, <|endoftext|>) and/or the first token, which often acts as an
// attention "sink" (Xiao et al. 2023) and dwarfs every other weight.
// The dropped tokens are removed as keys and as queries; each remaining row is renormalised:
//   a'_ij = a_ij / sum_{k kept} a_ik      (a row whose kept weights are all 0 stays 0)
// Labels, token ids, flags, the per-head queries/keys, Q/K/V and the input rows follow the kept
// tokens; raw scores are subset (not renormalised). Causal masks and padding carry over; a local
// or hybrid window cannot (its positions shift), so it is dropped with a warning (masked cells are
// exactly 0 in the weights anyway). The result keeps the original indices of what it kept.
#include "AttentionResult.h"
#include "Expected.h"

#include <string>
#include <vector>

namespace attn {

struct TokenFilterOptions {
    bool dropSpecial = false;
    bool dropFirst = false;
    bool any() const { return dropSpecial || dropFirst; }
};

class TokenFilter {
public:
    // The derived result; an error when nothing would remain.
    static Expected<AttentionResult> apply(const AttentionResult& result, const TokenFilterOptions& options);
    // Indices (ascending) of the tokens kept from a sequence of labels with optional special flags.
    static std::vector<int> keptTokens(const std::vector<std::string>& labels,
        const std::vector<uint8_t>& special, const TokenFilterOptions& options);
    // Whether a label is a special token by its spelling: [CLS], [SEP], [PAD], [MASK], [UNK], <s>,
    // </s>, <pad>, <unk>, <|endoftext|>, ...
    static bool looksSpecial(const std::string& label);

    // Shared with WordAggregation: rebuilds the mask of a result whose tokens were regrouped, given
    // for each new key whether every original token it stands for was padding.
    static void remask(
        AttentionResult& result, const std::vector<uint8_t>& paddedKeys, const std::string& what);
};

} // namespace attn
