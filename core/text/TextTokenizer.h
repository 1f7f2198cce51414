#pragma once
// Text -> tokens for the built-in encoder.
//   Word:      runs of letters/digits are words (an apostrophe or hyphen between letters stays in
//              the word: "don't", "well-known"); each punctuation mark is a token; each CJK
//              character is a token (Chinese has no spaces); bracketed specials such as [CLS],
//              [PAD], <pad>, <s> stay whole.
//   Character: every code point that is not whitespace is a token.
#include <string>
#include <vector>

namespace attn {

enum class TokenizerKind { Word, Character };

class TextTokenizer {
public:
    static std::vector<std::string> tokenize(const std::string& text, TokenizerKind kind);
    // Padding tokens ([PAD], <pad>) are masked as keys by the input builder.
    static bool isPadding(const std::string& token);
};

const char* toString(TokenizerKind);

} // namespace attn
