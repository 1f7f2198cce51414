#include "UnicodeTables.h"

#include <algorithm>
#include <iterator>

namespace attn {

namespace {

struct CodePointPair {
    uint32_t from;
    uint32_t to;
};

struct Decomposition {
    uint32_t from;
    uint32_t to[4]; // zero-terminated when shorter
};

#include "UnicodeTables.inc"

static_assert(std::size(kCategoryStarts) == std::size(kCategoryValues));

constexpr char32_t kHangulBase = 0xAC00;
constexpr char32_t kHangulCount = 11172;

} // namespace

GeneralCategory UnicodeTables::category(char32_t cp)
{
    if (cp > 0x10FFFF)
        return GeneralCategory::Cn;
    const auto* end = std::end(kCategoryStarts);
    const auto* it = std::upper_bound(std::begin(kCategoryStarts), end, static_cast<uint32_t>(cp));
    const size_t run = static_cast<size_t>(it - std::begin(kCategoryStarts)) - 1; // kCategoryStarts[0] == 0
    return static_cast<GeneralCategory>(kCategoryValues[run]);
}

bool UnicodeTables::isLetter(char32_t cp)
{
    const auto c = category(cp);
    return c >= GeneralCategory::Lu && c <= GeneralCategory::Lo;
}

bool UnicodeTables::isNumber(char32_t cp)
{
    const auto c = category(cp);
    return c >= GeneralCategory::Nd && c <= GeneralCategory::No;
}

bool UnicodeTables::isPunctuation(char32_t cp)
{
    const auto c = category(cp);
    return c >= GeneralCategory::Pc && c <= GeneralCategory::Po;
}

bool UnicodeTables::isNonSpacingMark(char32_t cp)
{
    return category(cp) == GeneralCategory::Mn;
}

bool UnicodeTables::isOther(char32_t cp)
{
    return category(cp) >= GeneralCategory::Cc;
}

bool UnicodeTables::isWhiteSpaceProperty(char32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
}

void UnicodeTables::appendLower(char32_t cp, std::u32string& out)
{
    if (cp == 0x130) { // LATIN CAPITAL LETTER I WITH DOT ABOVE: "i" + COMBINING DOT ABOVE
        out += U'i';
        out += char32_t(0x307);
        return;
    }
    if (cp >= 'A' && cp <= 'Z') {
        out += cp + 32;
        return;
    }
    if (cp < 0x80) {
        out += cp;
        return;
    }
    const auto* it = std::lower_bound(std::begin(kLower), std::end(kLower), static_cast<uint32_t>(cp),
        [](const CodePointPair& p, uint32_t v) { return p.from < v; });
    out += (it != std::end(kLower) && it->from == cp) ? char32_t(it->to) : cp;
}

void UnicodeTables::appendDecomposition(char32_t cp, std::u32string& out)
{
    if (cp < 0xC0) {
        out += cp;
        return;
    }
    if (cp >= kHangulBase && cp < kHangulBase + kHangulCount) {
        const char32_t s = cp - kHangulBase;
        out += char32_t(0x1100 + s / (21 * 28));
        out += char32_t(0x1161 + (s % (21 * 28)) / 28);
        if (s % 28 != 0)
            out += char32_t(0x11A7 + s % 28);
        return;
    }
    const auto* it = std::lower_bound(std::begin(kDecomposition), std::end(kDecomposition),
        static_cast<uint32_t>(cp), [](const Decomposition& d, uint32_t v) { return d.from < v; });
    if (it == std::end(kDecomposition) || it->from != cp) {
        out += cp;
        return;
    }
    for (const uint32_t c : it->to)
        if (c != 0)
            out += char32_t(c);
}

} // namespace attn
