#pragma once
// The tokenizer of llama2.c (tokenizer.bin / tok512.bin): an int32 max_token_length, then for each
// of the model's vocab_size tokens a float32 merge score, an int32 byte length and the bytes.
// encode() is run.c's encode(): BOS, a dummy-prefix " " token for non-empty text, one token per
// UTF-8 code point (or its bytes as <0xXX> tokens, id = byte + 3), then repeatedly merging the
// adjacent pair whose concatenation is the highest-scoring vocabulary entry. decode() is run.c's
// decode(): the leading space of the piece after BOS is dropped and <0xXX> pieces become the raw byte.
#include "Expected.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class Llama2cTokenizer {
public:
    static constexpr int kBos = 1;
    static constexpr int kEos = 2;
    static constexpr int kMaxTokenLength = 1 << 16;

    // vocabSize comes from the model's header. Messages start with the file's name.
    static Expected<Llama2cTokenizer> readFile(const std::string& path, int vocabSize);
    static Expected<Llama2cTokenizer> fromBytes(const std::string& bytes, int vocabSize, const std::string& name);

    int vocabSize() const { return static_cast<int>(m_pieces.size()); }
    int maxTokenLength() const { return m_maxTokenLength; }
    // The piece as stored (e.g. " the", "<0x0A>", "\n<s>\n"); id must be in range.
    const std::string& piece(int id) const { return m_pieces[static_cast<size_t>(id)]; }
    float score(int id) const { return m_scores[static_cast<size_t>(id)]; }
    // The id of an exact piece, or -1.
    int lookup(const std::string& piece) const;

    // Token ids for `text` (processed up to its first NUL byte, as run.c sees a C string). An error
    // only when the vocabulary lacks what the algorithm needs (the " " piece, a byte token).
    Expected<std::vector<int>> encode(const std::string& text, bool bos = true, bool eos = false) const;
    // The bytes token `token` contributes to the text when it follows `prevToken`.
    std::string decode(int prevToken, int token) const;
    // A one-line label for display: "<s>" for "\n<s>\n", control characters escaped ("\n" -> "\\n").
    std::string label(int id) const;

private:
    std::vector<std::string> m_pieces;
    std::vector<float> m_scores;
    std::unordered_map<std::string, int> m_index;
    int m_maxTokenLength = 0;
};

} // namespace attn
