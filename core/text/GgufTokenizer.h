#pragma once
// The tokenizer a GGUF file carries in its metadata ("tokenizer.ggml.*"), as llama.cpp runs it:
//   llama   SentencePiece: a space prefix (add_space_prefix), spaces as "▁", one symbol per UTF-8
//           character, then repeatedly the adjacent pair whose concatenation is a token of the highest
//           score is merged (the leftmost on ties); a character without a token becomes its bytes'
//           <0xXX> tokens (byte fallback), or <unk> when there are none
//   gpt2    byte-level BPE over the merges list, after the pre-tokenizer `tokenizer.ggml.pre` names:
//           gpt2 / default (GPT-2's pattern), llama-bpe (Llama 3), qwen2 (Qwen2/2.5) — regexes run by
//           RegexSplitter (PCRE2)
// Control tokens (type 3) and user-defined ones (type 4) in the text are matched whole first (as
// llama.cpp's parse_special), so "<|im_start|>" is one token. BOS first when add_bos_token.
#include "BpeMerges.h"
#include "Expected.h"
#include "HfTokenizer.h"
#include "RegexSplitter.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

struct GgufVocabulary {
    std::string model;                // "llama" or "gpt2"
    std::string pre;                  // tokenizer.ggml.pre ("" when absent)
    std::vector<std::string> tokens;  // by id
    std::vector<float> scores;        // llama: one per token (empty: all 0)
    std::vector<int> types;           // one per token (empty: all normal): 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte
    std::vector<std::string> merges;  // gpt2: "a b" lines in rank order
    int bos = -1, eos = -1, unk = -1;
    bool addBos = true;
    bool addSpacePrefix = true;
};

class GgufTokenizer : public HfTokenizer {
public:
    static constexpr int kControl = 3;
    static constexpr int kUserDefined = 4;
    static constexpr int kByte = 6;

    // Validates the vocabulary (sizes agree, ids in range, merges name tokens) and builds it;
    // messages start with `source`.
    static Expected<std::unique_ptr<GgufTokenizer>> build(GgufVocabulary vocabulary, const std::string& source);
    // The pre-tokenizer names of tokenizer.ggml.pre this version runs.
    static const char* supportedPre() { return "gpt2, default, llama-bpe, llama3, qwen2"; }

    std::string kind() const override;
    int vocabSize() const override { return static_cast<int>(m_v.tokens.size()); }
    Expected<TokenizedText> encode(const std::string& text) const override;
    Expected<TokenizedText> encodeForModel(const std::string& text, bool addBos) const override;
    std::string decode(int id) const override;
    std::optional<int> tokenId(const std::string& token) const override;
    std::optional<int> bosId() const override;
    std::optional<int> eosId() const override;
    bool addsBos() const { return m_v.addBos; }

private:
    explicit GgufTokenizer(GgufVocabulary v);
    Status encodeSentencePiece(const std::string& text, std::vector<int>& ids) const;
    Status encodeBytePairs(const std::string& text, std::vector<int>& ids) const;
    std::string label(int id) const;

    GgufVocabulary m_v;
    std::unordered_map<std::string, int> m_index;
    std::vector<int> m_specials; // control and user-defined ids, longest text first
    int m_byteTokens[256];
    BpeMerges m_merges;
    std::shared_ptr<const RegexSplitter> m_splitter;
};

} // namespace attn
