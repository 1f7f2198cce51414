#pragma once
// A Hugging Face tokenizer.json whose model is Unigram (XLM-R, T5, ALBERT, mT5, ...), run as the
// tokenizers library runs it. The steps around the model (added tokens, normalizer, pre-tokenizer,
// post-processor) are TokenizerJsonPipeline's. Per word, tokenizers' Unigram::encode_optimized:
//   Viterbi        the segmentation with the highest sum of piece scores (log probabilities, in
//                  double, summed left to right); at each end position the first best candidate
//                  is kept (a later one must be strictly better)
//   unknown        a character that no one-character piece covers is a node of its own with score
//                  min score - kUnkPenalty (10, as tokenizers' K_UNK_PENALTY) and id unk_id;
//                  consecutive unknowns are fused into one piece (tokenizers' fuse_unk, always on
//                  for Unigram); a fused run that is no piece becomes its UTF-8 bytes as <0xNN>
//                  pieces when byte_fallback and every such piece exists, else unk_id
//   no unk_id      text with a character no piece covers is refused, as tokenizers refuses it
// Checked when reading: "vocab" an array of at most TokenizerFiles::kMaxVocabEntries [piece, score]
// pairs with UTF-8 pieces and finite scores, unk_id inside it, no empty vocabulary.
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"
#include "TokenizerJsonPipeline.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <unordered_map>

namespace attn {

class TokenizerJsonUnigram : public HfTokenizer {
public:
    static constexpr double kUnkPenalty = 10.0;

    static Expected<std::unique_ptr<TokenizerJsonUnigram>> fromJson(
        const nlohmann::json& json, const HfTokenizerConfig& config, const std::string& name);

    std::string kind() const override { return "Unigram (tokenizer.json)"; }
    int vocabSize() const override { return m_vocab.size(); }
    Expected<TokenizedText> encode(const std::string& text) const override;
    // With the post-processor's special tokens when it has one (T5 "$A </s>", XLM-R "<s> $A </s>"),
    // else BOS first when addBos.
    Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const override;
    std::string decode(int id) const override;
    std::optional<int> tokenId(const std::string& token) const override { return m_vocab.id(token); }
    std::optional<int> bosId() const override { return m_pipeline.bos(); }
    std::optional<int> eosId() const override { return m_pipeline.eos(); }

    // The pieces (as strings) of one word, before ids: the best path with unknowns fused.
    Expected<std::vector<std::string>> segment(const std::string& word) const;
    double unkScore() const { return m_minScore - kUnkPenalty; }

private:
    Status tokenizeWord(const std::u32string& word, std::vector<int>& ids) const;

    void addToTrie(const std::string& piece, int id);
    static uint64_t edge(uint32_t node, unsigned char byte) { return (uint64_t(node) << 8) | byte; }

    Vocabulary m_vocab; // pieces and added tokens
    TokenizerJsonPipeline m_pipeline;
    std::unordered_map<std::string, int> m_pieces; // the model's pieces (a piece listed twice: its later id)
    // The pieces as a byte trie (tokenizers' common_prefix_search): (node, byte) -> node, and per node
    // the piece ending there or -1. Walking it from a position finds every piece starting there.
    std::unordered_map<uint64_t, uint32_t> m_trie;
    std::vector<int> m_trieIds { -1 };
    std::vector<double> m_scores; // per piece id
    double m_minScore = 0;
    std::optional<int> m_unk;
    bool m_byteFallback = false;
    std::array<int, 256> m_byteIds {}; // id of the piece "<0xNN>" or -1
};

} // namespace attn
