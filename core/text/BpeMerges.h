#pragma once
// The merge table of a BPE vocabulary and the merge loop shared by the BPE tokenizers.
// A merge (a, b) -> ab has the rank of its line in merges.txt (a pair listed twice keeps its later
// rank, as both transformers and tokenizers do). Merging a word (a sequence of ids):
//   AllOccurrences   transformers' GPT2Tokenizer.bpe(): take the adjacent pair of lowest rank and
//                    merge every non-overlapping occurrence of it, left to right; repeat
//   Leftmost         tokenizers' Word::merge_all(): merge only the leftmost occurrence of the
//                    lowest-ranked pair, then look again (a new pair of lower rank wins at once)
// Both run in O(n log n) with a heap of candidate pairs over a linked list of symbols, so a long
// word (Llama merges a whole prompt segment as one word) cannot take quadratic time.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace attn {

class BpeMerges {
public:
    enum class Mode { AllOccurrences, Leftmost };

    void add(int left, int right, int merged);
    size_t size() const { return m_merges.size(); }
    void apply(std::vector<int>& word, Mode mode) const;

private:
    struct Merge {
        int rank;
        int merged;
    };
    static uint64_t key(int a, int b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
    std::optional<Merge> find(int a, int b) const;

    std::unordered_map<uint64_t, Merge> m_merges;
    int m_nextRank = 0;
};

} // namespace attn
