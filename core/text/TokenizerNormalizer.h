#pragma once
// A tokenizer.json "normalizer", run as Hugging Face tokenizers runs it: null (the identity), or
// one of these, or a Sequence of them:
//   Prepend       its "prepend" before non-empty text (Llama 2: "▁")
//   Replace       every "String" (or PCRE2 "Regex", e.g. T5's / XLM-R's " {2,}") -> "content"
//   Lowercase     Python's str.lower() per character (tokenizers' char::to_lowercase)
//   NFC NFD NFKC NFKD   Unicode normalisation forms, by utf8proc (the Unicode version of the
//                 installed libutf8proc; tests compare with Python's unicodedata on characters that
//                 are stable across versions)
//   StripAccents  drops non-spacing marks (Mn), as after NFD/NFKD in ALBERT's pipeline
//   Strip         White_Space at the left and/or right
// Precompiled (a SentencePiece precompiled_charsmap, T5's and XLM-R's) is refused with a message
// naming it and what to write instead; other types are refused with the list above.
#include "Expected.h"
#include "RegexSplitter.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace attn {

class TokenizerNormalizer {
public:
    static constexpr size_t kMaxSteps = 64; // far more than any real tokenizer has
    static constexpr int kMaxNesting = 8;   // Sequences inside Sequences

    struct Step {
        enum class Kind { Prepend, Replace, Lowercase, Nfc, Nfd, Nfkc, Nfkd, StripAccents, Strip } kind;
        std::u32string a, b; // Prepend: a; Replace: a -> b (a empty when the pattern is a regex)
        std::shared_ptr<const RegexSplitter> regex; // Replace {"Regex": ...}
        bool left = false, right = false; // Strip
    };

    static Expected<TokenizerNormalizer> fromJson(const nlohmann::json& j, const std::string& where);
    // One of the Unicode forms on its own (Kind::Nfc, Nfd, Nfkc or Nfkd).
    static std::u32string unicodeForm(const std::u32string& text, Step::Kind form);

    // Fails only when a Replace regex exceeds PCRE2's match limits.
    Expected<std::u32string> apply(std::u32string text) const;
    const std::vector<Step>& steps() const { return m_steps; }

private:
    Status read(const nlohmann::json& j, const std::string& where, int depth);
    std::vector<Step> m_steps;
};

} // namespace attn
