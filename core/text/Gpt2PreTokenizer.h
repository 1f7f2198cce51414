#pragma once
// GPT-2's pre-tokenising regular expression, implemented by hand over code points:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// At each position the first alternative that matches wins (a regex alternation, greedy inside):
// contractions; a word (letters) or number or run of other symbols, each with at most one leading
// U+0020 space; a run of whitespace that stops before the last space ahead of a non-space (that
// space joins the next word: "a  b" -> "a", " ", " b"); whitespace at the end. \s is the Unicode
// White_Space property, \p{L} / \p{N} the general categories (UnicodeTables).
#include <string>
#include <utility>
#include <vector>

namespace attn {

class Gpt2PreTokenizer {
public:
    // [begin, end) code-point ranges of the pieces; together they cover the text exactly.
    static std::vector<std::pair<size_t, size_t>> split(const std::u32string& text);
};

} // namespace attn
