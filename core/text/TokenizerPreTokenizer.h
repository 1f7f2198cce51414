#pragma once
// A tokenizer.json "pre_tokenizer", run as Hugging Face tokenizers runs it: null (the whole segment
// is one word), or one of these, or a Sequence of them:
//   ByteLevel        GPT-2 regex + byte alphabet; add_prefix_space, use_regex
//   Metaspace        " " -> "▁" (its "replacement"), prepend_scheme always/first/never (or the older
//                    add_prefix_space), split (each "▁" starts a word)
//   WhitespaceSplit  split on White_Space, which is dropped (T5)
//   Split            a Regex pattern run by PCRE2 with match limits, or a String; behavior Isolated
//                    or Removed (Llama 3's and Qwen2's pattern)
//   Digits           individual_digits or runs
//   Punctuation      behavior Isolated
// Rejected with a message naming the field: Split's other behaviours and invert, other types.
// Metaspace's "first" prepends to the first word of the first plain segment of the text; tokenizers
// asks whether the word starts at offset 0 of the original text, which differs only when the
// normalizer or an earlier step removed leading characters.
#include "Expected.h"
#include "RegexSplitter.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace attn {

class TokenizerPreTokenizer {
public:
    static constexpr size_t kMaxSteps = 64;
    static constexpr int kMaxNesting = 8;

    struct Step {
        enum class Kind { ByteLevel, Metaspace, WhitespaceSplit, Split, Digits, Punctuation } kind;
        std::shared_ptr<const RegexSplitter> regex; // Split
        bool removeMatches = false;                 // Split "Removed"
        bool individualDigits = false;              // Digits
        bool addPrefixSpace = false;                // ByteLevel
        bool useRegex = true;                       // ByteLevel
        char32_t replacement = 0x2581;              // Metaspace
        enum class Prepend { Always, First, Never } prepend = Prepend::Always;
        bool split = true; // Metaspace
    };

    static Expected<TokenizerPreTokenizer> fromJson(const nlohmann::json& j, const std::string& where);

    // The words of one plain segment (atTextStart: it is the text's first); none for empty text.
    // Fails only when a Split regex exceeds PCRE2's match limits.
    Expected<std::vector<std::u32string>> split(std::u32string text, bool atTextStart) const;
    const std::vector<Step>& steps() const { return m_steps; }
    bool has(Step::Kind kind) const;

private:
    Status read(const nlohmann::json& j, const std::string& where, int depth);
    std::vector<Step> m_steps;
};

} // namespace attn
