#pragma once
// The Unicode character data the Hugging Face tokenizers need, without ICU: general categories,
// simple lower-case mapping (as Python's str.lower()) and canonical decomposition (NFD), from tables
// generated out of Python's unicodedata (Unicode 14.0) by tests/tools/make_unicode_tables.py into
// UnicodeTables.inc. Hangul syllables decompose algorithmically (S = 0xAC00 + (L*21 + V)*28 + T).
//
// Not done: canonical reordering of combining marks (NFD's second step). The tokenizers only use NFD
// to drop the non-spacing marks (Mn) afterwards, so the order of the marks never shows; the only
// characters it could affect are a few musical-symbol spacing marks (Mc with a non-zero class).
#include <cstdint>
#include <string>

namespace attn {

// clang-format off
enum class GeneralCategory : uint8_t {
    Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
    Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn
};
// clang-format on

class UnicodeTables {
public:
    static GeneralCategory category(char32_t cp);
    static bool isLetter(char32_t cp); // \p{L}
    static bool isNumber(char32_t cp); // \p{N}
    static bool isPunctuation(char32_t cp); // \p{P}
    static bool isNonSpacingMark(char32_t cp); // Mn
    static bool isOther(char32_t cp); // \p{C}: Cc, Cf, Cs, Co, Cn
    // The Unicode White_Space property (what \s matches in the regex engines HF uses).
    static bool isWhiteSpaceProperty(char32_t cp);
    // Appends str.lower() of one code point.
    static void appendLower(char32_t cp, std::u32string& out);
    // Appends the canonical decomposition of one code point (itself when it has none).
    static void appendDecomposition(char32_t cp, std::u32string& out);
};

} // namespace attn
