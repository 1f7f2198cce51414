#pragma once
// Splits text around added/special tokens ("[CLS]", "<|endoftext|>", "<s>") before the model's own
// algorithm sees it, as Hugging Face does (a trie in transformers, the AddedVocabulary in
// tokenizers): scanning left to right, at each position the longest token that starts there wins.
// The pieces in between go to the tokenizer; a matched token becomes its id.
// (The lstrip/rstrip/single_word flags of tokenizer.json's added tokens are not applied.)
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

    void add(const std::string& token, int id); // empty tokens are ignored
    bool empty() const { return m_byFirstByte.empty(); }
    std::vector<Piece> split(const std::string& text) const;

private:
    // Tokens grouped by their first byte, longest first.
    std::unordered_map<unsigned char, std::vector<std::pair<std::string, int>>> m_byFirstByte;
};

} // namespace attn
