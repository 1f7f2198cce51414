#pragma once
// Subword tokens merged into words, and the attention map between words (Clark et al. 2019,
// "What Does BERT Look At?"):
//   attention TO a word   = the sum of the weights on its tokens (keys)
//   attention FROM a word = the mean of its tokens' rows (queries)
//   W'[a][b] = (1 / |a|) sum_{i in a} sum_{j in b} W[i][j]     -> each row still sums to 1.
// Word boundaries from the token labels:
//   - WordPiece (BERT: some label starts with "##"): "##x" continues the word, any other token
//     starts one;
//   - marker schemes (GPT-2 "Ġ", SentencePiece "▁", llama2.c's leading space): a marked token
//     starts a word, an unmarked one continues the previous word;
//   - otherwise (the engine's word tokenizer) every token is a word;
//   - always: a special token ([CLS], <s>, or flagged in specialTokens) is a word alone, a token
//     made only of punctuation is a word alone, and nothing continues a special or punctuation word.
// A word's label is its tokens' labels joined without markers ("play" + "##ing" -> "playing").
// Per-head queries/keys, Q/K/V and inputs become the mean of their tokens' rows.
#include "AttentionResult.h"
#include "Expected.h"

#include <string>
#include <vector>

namespace attn {

struct WordGroups {
    std::vector<std::vector<int>> words; // token indices of each word, in order
    std::vector<std::string> labels; // one per word
    std::vector<int> wordOfToken; // token index -> word index
};

class WordAggregation {
public:
    static WordGroups group(
        const std::vector<std::string>& tokenLabels, const std::vector<uint8_t>& special = {});
    // The word-level result (self- or cross-attention: queries and keys grouped by their own labels).
    static Expected<AttentionResult> apply(const AttentionResult& result);
    // The word-level map of one [Nq][Nk] map, [Wq][Wk] row-major.
    static std::vector<float> aggregate(
        const float* map, const WordGroups& queries, const WordGroups& keys, int keyCount);
    static bool isPunctuation(const std::string& text);
};

} // namespace attn
