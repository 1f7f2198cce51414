#include "TextTokenizer.h"

#include "Utf8.h"

namespace attn {

namespace {
// Bytes that are not valid UTF-8 decode as U+FFFD one byte at a time; they separate tokens and
// are dropped, so that no label carries invalid UTF-8.
bool isInvalid(const CodePoint& cp) { return cp.value == 0xFFFD && cp.length == 1; }

bool isWordChar(char32_t cp)
{
    return cp != 0xFFFD && !Utf8::isWhitespace(cp) && !Utf8::isPunctuation(cp) && !Utf8::isCjk(cp) && cp >= 0x20;
}

bool isSpecialChar(char32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_' ||
           cp == '|' || cp == '/';
}

// A bracketed special token starting at i ("[CLS]", "<pad>", "<|endoftext|>"), or 0.
size_t specialLength(const std::vector<CodePoint>& cps, size_t i)
{
    const char32_t open = cps[i].value;
    const char32_t close = open == '[' ? U']' : open == '<' ? U'>' : 0;
    if (!close)
        return 0;
    size_t j = i + 1;
    while (j < cps.size() && j - i <= 24 && isSpecialChar(cps[j].value))
        ++j;
    if (j < cps.size() && j > i + 1 && cps[j].value == close)
        return j - i + 1;
    return 0;
}
} // namespace

const char* toString(TokenizerKind k) { return k == TokenizerKind::Word ? "word" : "character"; }

std::vector<std::string> TextTokenizer::tokenize(const std::string& text, TokenizerKind kind)
{
    const auto cps = Utf8::decode(text);
    std::vector<std::string> tokens;
    auto slice = [&](size_t from, size_t to) {
        const size_t begin = cps[from].offset;
        const size_t end = cps[to - 1].offset + cps[to - 1].length;
        return text.substr(begin, end - begin);
    };
    size_t i = 0;
    while (i < cps.size()) {
        const char32_t cp = cps[i].value;
        if (Utf8::isWhitespace(cp) || cp < 0x20 || isInvalid(cps[i])) {
            ++i;
            continue;
        }
        if (kind == TokenizerKind::Character) {
            tokens.push_back(slice(i, i + 1));
            ++i;
            continue;
        }
        if (const size_t len = specialLength(cps, i)) {
            tokens.push_back(slice(i, i + len));
            i += len;
            continue;
        }
        if (Utf8::isCjk(cp) || Utf8::isPunctuation(cp)) {
            tokens.push_back(slice(i, i + 1));
            ++i;
            continue;
        }
        size_t j = i + 1;
        while (j < cps.size()) {
            const char32_t c = cps[j].value;
            if (isWordChar(c)) {
                ++j;
                continue;
            }
            const bool joiner = c == '\'' || c == '-' || c == 0x2019;
            if (joiner && j + 1 < cps.size() && isWordChar(cps[j + 1].value)) {
                j += 2;
                continue;
            }
            break;
        }
        tokens.push_back(slice(i, j));
        i = j;
    }
    return tokens;
}

bool TextTokenizer::isPadding(const std::string& token)
{
    return token == "[PAD]" || token == "<pad>" || token == "[pad]" || token == "<PAD>";
}

} // namespace attn
