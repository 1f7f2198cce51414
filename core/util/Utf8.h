#pragma once
// Minimal UTF-8 decoding for the tokenizers: code points with their byte spans. Invalid bytes
// decode as U+FFFD one byte at a time, so any input is accepted and nothing reads out of bounds.
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct CodePoint {
    char32_t value;
    size_t offset; // byte offset in the source
    size_t length; // bytes
};

class Utf8 {
public:
    static std::vector<CodePoint> decode(const std::string& text);
    static std::string encode(char32_t cp);
    static bool isWhitespace(char32_t cp);
    // Han ideographs, kana and CJK compatibility ideographs: one token per character.
    static bool isCjk(char32_t cp);
    // ASCII punctuation, general and CJK punctuation, full-width forms' punctuation, symbols.
    static bool isPunctuation(char32_t cp);
};

} // namespace attn
