#pragma once
// A Hugging Face tokenizer.json whose model is BPE (Llama 1/2, Mistral, TinyLlama, GPT-2 in its
// tokenizer.json form, RoBERTa, ...), run as the tokenizers library runs it. The steps around the
// model are TokenizerJsonPipeline's: added tokens, normalizer (TokenizerNormalizer: Prepend, Replace,
// Lowercase, NFC/NFD/NFKC/NFKD, StripAccents, Strip), pre-tokenizer (TokenizerPreTokenizer: ByteLevel,
// Metaspace, WhitespaceSplit, Split, Digits, Punctuation) and post-processor (TokenizerPostProcessor:
// TemplateProcessing, RobertaProcessing, BertProcessing). The model:
//   BPE              per character its token, else (byte_fallback) its UTF-8 bytes as <0xNN> tokens,
//                    else unk_token (consecutive unknowns fused when fuse_unk); then merges in
//                    BpeMerges::Mode::Leftmost order; ignore_merges: a word that is a token as a
//                    whole is taken at once
//   merges           "a b" strings or ["a", "b"] pairs; both parts and their concatenation must be
//                    vocabulary tokens
// Rejected with a message naming the field: other model types (WordPiece and Unigram have their own
// classes), continuing_subword_prefix / end_of_word_suffix. Not applied: BPE dropout (training
// only), added tokens' lstrip/rstrip.
#include "BpeMerges.h"
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"
#include "TokenizerJsonPipeline.h"

#include <nlohmann/json_fwd.hpp>

#include <array>

namespace attn {

class TokenizerJsonBpe : public HfTokenizer {
public:
    static Expected<std::unique_ptr<TokenizerJsonBpe>> readFile(
        const std::string& path, const HfTokenizerConfig& config);
    static Expected<std::unique_ptr<TokenizerJsonBpe>> fromJson(
        const nlohmann::json& json, const HfTokenizerConfig& config, const std::string& name);

    std::string kind() const override { return "BPE (tokenizer.json)"; }
    int vocabSize() const override { return m_vocab.size(); }
    Expected<TokenizedText> encode(const std::string& text) const override;
    Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const override;
    std::string decode(int id) const override;
    std::optional<int> tokenId(const std::string& token) const override { return m_vocab.id(token); }
    std::optional<int> bosId() const override { return m_pipeline.bos(); }
    std::optional<int> eosId() const override { return m_pipeline.eos(); }

private:
    void tokenizeWord(const std::u32string& word, std::vector<int>& ids) const;

    Vocabulary m_vocab;
    BpeMerges m_merges;
    TokenizerJsonPipeline m_pipeline;
    std::optional<int> m_unk;
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    bool m_byteLevelDecode = false;
    std::array<int, 256> m_byteFallbackIds {}; // id of "<0xNN>" or -1
};

} // namespace attn
