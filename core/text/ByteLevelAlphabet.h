#pragma once
// GPT-2's bytes_to_unicode(): every byte gets a printable code point so that byte-level BPE tokens
// are ordinary strings. The printable bytes ! .. ~, ¡ .. ¬ and ® .. ÿ map to themselves; the other 68
// (controls, space, DEL, NBSP, soft hyphen) map to U+0100, U+0101, ... in byte order, so a space
// is "Ġ" (U+0120) and a newline "Ċ" (U+010A).
#include <array>
#include <optional>
#include <string>

namespace attn {

class ByteLevelAlphabet {
public:
    static const ByteLevelAlphabet& instance();

    char32_t toChar(unsigned char byte) const { return m_toChar[byte]; }
    // The byte a code point stands for, or nothing when it is not in the alphabet.
    std::optional<unsigned char> toByte(char32_t cp) const;
    // Bytes -> the UTF-8 of their characters ("a b" -> "aĠb").
    std::string encode(const std::string& bytes) const;
    // A byte-level token back to its bytes; code points outside the alphabet are kept as UTF-8.
    std::string decode(const std::string& token) const;

private:
    ByteLevelAlphabet();
    std::array<char32_t, 256> m_toChar {};
    std::array<int, 324> m_toByte {}; // indexed by code point (all are below 0x144)
};

} // namespace attn
