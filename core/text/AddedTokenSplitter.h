#pragma once
// Splits text around added/special tokens ("[CLS]", "<|endoftext|>", "<s>") before the model's own
// algorithm sees it, as Hugging Face does (a trie in transformers, the AddedVocabulary in
// tokenizers): scanning left to right, at each position the longest token that starts there wins.
// The pieces in between go to the tokenizer; a matched token becomes its id. A byte trie keeps the
// scan at O(text x longest token) however many tokens there are.
// (The lstrip/rstrip/single_word flags of tokenizer.json's added tokens are not applied.)
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class AddedTokenSplitter {
public:
    struct Piece {
        std::string text; // the plain text between tokens (id < 0), or the token itself
        int id = -1;
    };

    void add(
        const std::string& token, int id); // empty tokens are ignored; a token added again gets the new id
    bool empty() const { return m_ids.size() <= 1; }
    std::vector<Piece> split(const std::string& text) const;

private:
    static uint64_t edge(size_t node, unsigned char byte) { return (uint64_t(node) << 8) | byte; }

    std::unordered_map<uint64_t, uint32_t> m_children; // (node, byte) -> node
    std::vector<int> m_ids { -1 }; // per node: the token ending there, or -1
};

} // namespace attn
