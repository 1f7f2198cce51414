#pragma once
// A pre-tokenizer's regular expression, run with PCRE2 (UTF-8, Unicode properties: \p{L}, \p{N},
// \s as Unicode White_Space; case-insensitive groups; look-ahead), the way Hugging Face's Split
// pre-tokenizer with behaviour "Isolated" and llama.cpp's BPE pre-tokenizers use it: every match is a
// piece, and so is every stretch of text between matches (an empty match splits nothing). Matching
// has a match limit and a depth limit, so a pattern with catastrophic backtracking gives a message
// ("... exceeded PCRE2's match limit ..."), never a hang; a pattern that does not compile gives PCRE2's message and the offset.
#include "Expected.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace attn {

class RegexSplitter {
public:
    static constexpr uint32_t kMatchLimit = 10'000'000; // backtracking steps per match attempt
    static constexpr uint32_t kDepthLimit = 10'000;

    static Expected<std::shared_ptr<const RegexSplitter>> compile(const std::string& pattern);
    ~RegexSplitter();
    RegexSplitter(const RegexSplitter&) = delete;
    RegexSplitter& operator=(const RegexSplitter&) = delete;

    // [begin, end) byte ranges of the pieces of UTF-8 `text`; together they cover it exactly.
    // isMatch, when given, gets per piece whether it is a match (or the text between two).
    Expected<std::vector<std::pair<size_t, size_t>>> split(
        const std::string& text, std::vector<bool>* isMatch = nullptr) const;
    // A pattern matching `literal` exactly (for Split's {"String": ...} patterns).
    static std::string quote(const std::string& literal);
    const std::string& pattern() const { return m_pattern; }

private:
    RegexSplitter() = default;
    std::string m_pattern;
    void* m_code = nullptr;    // pcre2_code_8
    void* m_context = nullptr; // pcre2_match_context_8
};

} // namespace attn
