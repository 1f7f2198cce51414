#pragma once
// The steps every tokenizer.json model shares, in the order Hugging Face tokenizers runs them:
// added tokens split out whole (AddedTokenSplitter), then per plain segment the normalizer
// (TokenizerNormalizer), the pre-tokenizer (TokenizerPreTokenizer) and the model on each word;
// for the model's input, the post-processor's special tokens (TokenizerPostProcessor). Also which
// tokens are BOS and EOS. TokenizerJsonBpe and TokenizerJsonUnigram each hold one.
#include "AddedTokenSplitter.h"
#include "HfTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"
#include "TokenizerNormalizer.h"
#include "TokenizerPostProcessor.h"
#include "TokenizerPreTokenizer.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attn {

class TokenizerJsonPipeline {
public:
    using AddedTokens = std::vector<std::pair<std::string, int>>;
    // The model: appends the ids of one word.
    using WordModel = std::function<Status(const std::u32string& word, std::vector<int>& ids)>;

    // Adds the root's "added_tokens" to the vocabulary (before Vocabulary::finish) and lists them.
    static Expected<AddedTokens> readAddedTokens(
        const nlohmann::json& root, Vocabulary& vocab, const std::string& name);
    // The normalizer, pre-tokenizer, post-processor and special tokens, once the vocabulary is finished.
    static Expected<TokenizerJsonPipeline> read(const nlohmann::json& root, const HfTokenizerConfig& config,
        const Vocabulary& vocab, const AddedTokens& added, const std::string& name);

    // The ids of `text` without special tokens (checks UTF-8 first).
    Expected<std::vector<int>> encode(const std::string& text, const WordModel& model) const;
    // encode's ids with their labels.
    static TokenizedText labelled(std::vector<int> ids, const Vocabulary& vocab);

    // The text of a piece that is not byte-level: "▁" as " ", and (byteFallback) "<0xNN>" as its byte.
    static std::string decodePiece(const std::string& token, bool byteFallback);

    const TokenizerNormalizer& normalizer() const { return m_normalizer; }
    const TokenizerPreTokenizer& preTokenizer() const { return m_preTokenizer; }
    const TokenizerPostProcessor& postProcessor() const { return m_post; }
    std::optional<int> bos() const { return m_bos; }
    std::optional<int> eos() const { return m_eos; }

private:
    AddedTokenSplitter m_added;
    TokenizerNormalizer m_normalizer;
    TokenizerPreTokenizer m_preTokenizer;
    TokenizerPostProcessor m_post;
    std::optional<int> m_bos, m_eos;
};

} // namespace attn
