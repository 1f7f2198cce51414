#include "Gpt2PreTokenizer.h"

#include "UnicodeTables.h"

namespace attn {

namespace {

bool isSpace(char32_t c)
{
    return UnicodeTables::isWhiteSpaceProperty(c);
}
bool isLetter(char32_t c)
{
    return UnicodeTables::isLetter(c);
}
bool isNumber(char32_t c)
{
    return UnicodeTables::isNumber(c);
}
bool isOtherSymbol(char32_t c)
{
    return !isSpace(c) && !isLetter(c) && !isNumber(c);
}

// Length of the contraction at i ('s 't 're 've 'm 'll 'd, case-sensitive), or 0.
size_t contraction(const std::u32string& t, size_t i)
{
    if (t[i] != U'\'' || i + 1 >= t.size())
        return 0;
    const char32_t a = t[i + 1];
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (i + 2 < t.size()) {
        const char32_t b = t[i + 2];
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    return 0;
}

// " ?X+" at i: the length, or 0.
template <class Pred> size_t optionalSpaceThenRun(const std::u32string& t, size_t i, Pred pred)
{
    size_t j = i;
    if (t[j] == U' ')
        ++j;
    const size_t runStart = j;
    while (j < t.size() && pred(t[j]))
        ++j;
    if (j > runStart)
        return j - i;
    return 0; // with the space taken the run is empty; without it t[i] == ' ' is not in X either
}

} // namespace

std::vector<std::pair<size_t, size_t>> Gpt2PreTokenizer::split(const std::u32string& t)
{
    std::vector<std::pair<size_t, size_t>> out;
    size_t i = 0;
    while (i < t.size()) {
        size_t len = contraction(t, i);
        if (len == 0)
            len = optionalSpaceThenRun(t, i, isLetter);
        if (len == 0)
            len = optionalSpaceThenRun(t, i, isNumber);
        if (len == 0)
            len = optionalSpaceThenRun(t, i, isOtherSymbol);
        if (len == 0 && isSpace(t[i])) {
            size_t j = i;
            while (j < t.size() && isSpace(t[j]))
                ++j;
            const size_t run = j - i;
            // \s+(?!\S): the whole run at the end of the text, else all but its last character;
            // \s+ takes a single whitespace character before a non-space.
            len = (j == t.size() || run == 1) ? run : run - 1;
        }
        if (len == 0)
            len = 1; // unreachable: every character is a space, letter, number or other symbol
        out.emplace_back(i, i + len);
        i += len;
    }
    return out;
}

} // namespace attn
