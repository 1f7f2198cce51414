#pragma once
// A Hugging Face tokenizer.json whose model is BPE (Llama 1/2, Mistral, TinyLlama, GPT-2 in its
// tokenizer.json form, ...), run as the tokenizers library runs it:
//   added tokens     "added_tokens" (and the config's special tokens) are split out first, whole
//   normalizer       null, or Prepend, Replace (string pattern), Lowercase, NFD, Strip, NFC, or a
//                    Sequence of these; Llama's is Sequence[Prepend "▁", Replace " " -> "▁"]. NFC is
//                    accepted as the identity (no composition tables here): text typed or pasted is
//                    already NFC; decomposed input then tokenizes as its decomposed characters.
//   pre-tokenizer    null (the whole segment is one word), ByteLevel (GPT-2 regex + byte alphabet,
//                    add_prefix_space, use_regex), Metaspace (" " -> "▁", prepend_scheme
//                    always/first/never, split), Split (a Regex pattern run by PCRE2 with match
//                    limits, or a String; behavior Isolated or Removed: Llama 3's and Qwen2's
//                    pattern), Digits (individual_digits or runs), Punctuation (Isolated), or a
//                    Sequence of these
//   BPE              per character its token, else (byte_fallback) its UTF-8 bytes as <0xNN> tokens,
//                    else unk_token (consecutive unknowns fused when fuse_unk); then merges in
//                    BpeMerges::Mode::Leftmost order; ignore_merges: a word that is a token as a
//                    whole is taken at once
//   merges           "a b" strings or ["a", "b"] pairs; both parts and their concatenation must be
//                    vocabulary tokens
// Rejected with a message naming the field: other model types (WordPiece, Unigram, WordLevel),
// continuing_subword_prefix / end_of_word_suffix, Split's other behaviours and invert, unknown
// normalizer or pre-tokenizer types. Not applied: BPE dropout (training only), added tokens' lstrip/rstrip.
#include "AddedTokenSplitter.h"
#include "BpeMerges.h"
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "RegexSplitter.h"
#include "TokenizerFiles.h"

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
    std::optional<int> bosId() const override { return m_bos; }
    std::optional<int> eosId() const override { return m_eos; }

    struct NormalizerStep {
        enum class Kind { Prepend, Replace, Lowercase, Nfd, Strip } kind;
        std::u32string a, b; // Prepend: a; Replace: a -> b
        bool left = false, right = false; // Strip
    };
    struct PreTokenizerStep {
        enum class Kind { ByteLevel, Metaspace, Split, Digits, Punctuation } kind;
        std::shared_ptr<const RegexSplitter> regex; // Split
        bool removeMatches = false;                 // Split "Removed"
        bool individualDigits = false;              // Digits
        bool addPrefixSpace = false; // ByteLevel
        bool useRegex = true; // ByteLevel
        char32_t replacement = 0x2581; // Metaspace
        enum class Prepend { Always, First, Never } prepend = Prepend::Always;
        bool split = true; // Metaspace
    };

private:
    void tokenizeWord(const std::u32string& word, std::vector<int>& ids) const;

    Vocabulary m_vocab;
    BpeMerges m_merges;
    AddedTokenSplitter m_added;
    std::vector<NormalizerStep> m_normalizer;
    std::vector<PreTokenizerStep> m_preTokenizer;
    std::optional<int> m_unk, m_bos, m_eos;
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    bool m_byteLevelDecode = false;
    std::array<int, 256> m_byteFallbackIds {}; // id of "<0xNN>" or -1
};

} // namespace attn
