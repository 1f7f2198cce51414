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

    // Shared with WordAggregation: the mask and padding of a result whose tokens were regrouped
    // (`from` is the result before; a group of its query and key indices per new query and key):
    // the mask keeps every original cell where it was (MaskSpec::regrouped), and a new key counts
    // as padding when every token it stands for was.
    static void regroupMask(AttentionResult& result, const AttentionResult& from,
        const std::vector<std::vector<int>>& queryGroups, const std::vector<std::vector<int>>& keyGroups);
};

} // namespace attn
