#pragma once
// GPT-2's tokenizer (transformers' GPT2Tokenizer) over vocab.json (token -> id, tokens in the
// byte-level alphabet of ByteLevelAlphabet) and merges.txt ("#version" line, then one "a b" merge
// per line, rank = order):
//   special tokens   <|endoftext|> (and the bos/eos/unk/pad tokens of the config) are kept whole
//   pre-tokenise     Gpt2PreTokenizer's regex pieces
//   bytes            each piece's UTF-8 bytes as byte-level characters (" world" -> "Ġworld")
//   BPE              BpeMerges::Mode::AllOccurrences (GPT2Tokenizer.bpe), cached per piece
// Validated on load: vocab.json an object of string -> integer ids (unique, < 2^24, dense), every
// merge two tokens of the vocabulary whose concatenation is one too; text must be valid UTF-8.
#include "AddedTokenSplitter.h"
#include "BpeMerges.h"
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"

#include <array>
#include <mutex>
#include <unordered_map>

namespace attn {

class ByteLevelBpeTokenizer : public HfTokenizer {
public:
    static constexpr size_t kCacheLimit = 1 << 14; // pieces; the cache is cleared when full
    static constexpr size_t kCachedPieceBytes = 256; // longer pieces are not cached

    static Expected<std::unique_ptr<ByteLevelBpeTokenizer>> readFiles(
        const std::string& vocabJson, const std::string& mergesTxt, const HfTokenizerConfig& config);
    static Expected<std::unique_ptr<ByteLevelBpeTokenizer>> fromBytes(const std::string& vocabJson,
        const std::string& mergesTxt, const HfTokenizerConfig& config, const std::string& vocabName,
        const std::string& mergesName);

    std::string kind() const override { return "byte-level BPE"; }
    int vocabSize() const override { return m_vocab.size(); }
    Expected<TokenizedText> encode(const std::string& text) const override;
    Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const override;
    std::string decode(int id) const override;
    std::optional<int> tokenId(const std::string& token) const override { return m_vocab.id(token); }
    std::optional<int> bosId() const override { return m_bos; }
    std::optional<int> eosId() const override { return m_eos; }

private:
    Status encodePiece(const std::string& bytes, std::vector<int>& ids) const;

    Vocabulary m_vocab;
    BpeMerges m_merges;
    AddedTokenSplitter m_specials;
    std::optional<int> m_bos, m_eos, m_unk;
    std::array<int, 256> m_byteIds {}; // the id of each byte's one-character token, or -1
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int>> m_cache;
};

} // namespace attn
