#include "TokenizerNormalizer.h"

#include "TokenizerFiles.h"
#include "TokenizerJsonFields.h"
#include "UnicodeTables.h"

#include <nlohmann/json.hpp>
#include <utf8proc.h>


namespace attn {

namespace {

// RegexSplitter speaks of "the pre-tokenizer pattern"; here it is Replace's.
std::string asReplacePattern(std::string message)
{
    const std::string from = "the pre-tokenizer pattern";
    if (message.compare(0, from.size(), from) == 0)
        message.replace(0, from.size(), "the Replace pattern");
    return message;
}

} // namespace

using Step = TokenizerNormalizer::Step;

Expected<TokenizerNormalizer> TokenizerNormalizer::fromJson(const nlohmann::json& j, const std::string& where)
{
    TokenizerNormalizer n;
    if (auto s = n.read(j, where, 0); !s)
        return s.takeError();
    return n;
}

Status TokenizerNormalizer::read(const nlohmann::json& j, const std::string& where, int depth)
{
    if (j.is_null())
        return success();
    if (m_steps.size() > kMaxSteps || depth > kMaxNesting)
        return makeError(where + ": more than " + std::to_string(kMaxSteps) + " normalizer steps or "
            + std::to_string(kMaxNesting) + " nested Sequences");
    const std::string type = TokenizerFiles::typeName(j);
    if (type == "Sequence") {
        if (!j.contains("normalizers") || !j["normalizers"].is_array())
            return makeError(where + ": a Sequence normalizer needs a \"normalizers\" array");
        for (const auto& step : j["normalizers"])
            if (auto s = read(step, where, depth + 1); !s)
                return s;
        return success();
    }
    Step step {};
    if (type == "Prepend") {
        auto p = TokenizerJsonFields::string(j, "prepend", where + ": Prepend", true);
        if (!p)
            return p.takeError();
        step.kind = Step::Kind::Prepend;
        step.a = TokenizerFiles::toU32(**p);
    } else if (type == "Replace") {
        const auto it = j.find("pattern");
        if (it == j.end() || !it->is_object())
            return makeError(where + ": Replace needs a \"pattern\" object");
        if (it->contains("Regex")) {
            if (!(*it)["Regex"].is_string())
                return makeError(where + ": Replace's \"Regex\" pattern must be a string");
            auto compiled = RegexSplitter::compile((*it)["Regex"].get<std::string>());
            if (!compiled)
                return makeError(where + ": " + asReplacePattern(compiled.error()));
            step.regex = *compiled;
        } else {
            if (!it->contains("String") || !(*it)["String"].is_string() || (*it)["String"].get<std::string>().empty())
                return makeError(where + ": Replace needs a non-empty \"String\" or a \"Regex\" pattern");
            const std::string s = (*it)["String"].get<std::string>();
            if (auto ok = TokenizerFiles::checkUtf8(s, where + ": the Replace pattern"); !ok)
                return ok.takeError();
            step.a = TokenizerFiles::toU32(s);
        }
        auto content = TokenizerJsonFields::string(j, "content", where + ": Replace", true);
        if (!content)
            return content.takeError();
        step.kind = Step::Kind::Replace;
        step.b = TokenizerFiles::toU32(**content);
    } else if (type == "Lowercase") {
        step.kind = Step::Kind::Lowercase;
    } else if (type == "NFC") {
        step.kind = Step::Kind::Nfc;
    } else if (type == "NFD") {
        step.kind = Step::Kind::Nfd;
    } else if (type == "NFKC") {
        step.kind = Step::Kind::Nfkc;
    } else if (type == "NFKD") {
        step.kind = Step::Kind::Nfkd;
    } else if (type == "StripAccents") {
        step.kind = Step::Kind::StripAccents;
    } else if (type == "Strip") {
        auto left = TokenizerJsonFields::boolean(j, "strip_left", where + ": Strip", true);
        auto right = TokenizerJsonFields::boolean(j, "strip_right", where + ": Strip", true);
        if (!left || !right)
            return makeError(!left ? left.error() : right.error());
        step.kind = Step::Kind::Strip;
        step.left = *left;
        step.right = *right;
    } else if (type == "Precompiled") {
        return makeError(where
            + ": normalizer type 'Precompiled' (a SentencePiece precompiled_charsmap) is not supported; "
              "replacing it with {\"type\": \"NFKC\"} gives the same text for most input (the charsmap "
              "SentencePiece models ship is NFKC with a few rules for whitespace and control characters)");
    } else {
        return makeError(where + ": normalizer type '" + TokenizerJsonFields::shown(type)
            + "' is not supported (supported: Sequence, Prepend, Replace, Lowercase, NFC, NFD, NFKC, NFKD, "
              "StripAccents, Strip)");
    }
    m_steps.push_back(std::move(step));
    return success();
}

std::u32string TokenizerNormalizer::unicodeForm(const std::u32string& text, Step::Kind form)
{
    if (text.empty())
        return text;
    int options = UTF8PROC_STABLE;
    if (form == Step::Kind::Nfc || form == Step::Kind::Nfkc)
        options |= UTF8PROC_COMPOSE;
    else
        options |= UTF8PROC_DECOMPOSE;
    if (form == Step::Kind::Nfkc || form == Step::Kind::Nfkd)
        options |= UTF8PROC_COMPAT;
    // No UTF8PROC_NULLTERM: the length is given, so a "\0" inside the text survives. The decomposition
    // (with canonical reordering) runs for every form; COMPOSE then recombines in utf8proc_normalize_utf32.
    const std::string utf8 = TokenizerFiles::toUtf8(text);
    std::vector<utf8proc_int32_t> buffer(text.size() * 2 + 8);
    auto decompose = [&] {
        return utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
            static_cast<utf8proc_ssize_t>(utf8.size()), buffer.data(), static_cast<utf8proc_ssize_t>(buffer.size()),
            utf8proc_option_t(options));
    };
    utf8proc_ssize_t length = decompose();
    if (length > static_cast<utf8proc_ssize_t>(buffer.size())) {
        buffer.resize(static_cast<size_t>(length));
        length = decompose();
    }
    if (length < 0)
        return text; // cannot happen on valid UTF-8 (the text was checked before)
    if (options & UTF8PROC_COMPOSE)
        length = utf8proc_normalize_utf32(buffer.data(), length, utf8proc_option_t(options));
    if (length < 0)
        return text;
    std::u32string out;
    out.reserve(static_cast<size_t>(length));
    for (utf8proc_ssize_t i = 0; i < length; ++i)
        out.push_back(static_cast<char32_t>(buffer[static_cast<size_t>(i)]));
    return out;
}

Expected<std::u32string> TokenizerNormalizer::apply(std::u32string text) const
{
    for (const auto& step : m_steps) {
        switch (step.kind) {
        case Step::Kind::Prepend:
            if (!text.empty())
                text = step.a + text;
            break;
        case Step::Kind::Replace: {
            std::u32string out;
            if (step.regex) {
                const std::string utf8 = TokenizerFiles::toUtf8(text);
                std::vector<bool> isMatch;
                auto ranges = step.regex->split(utf8, &isMatch);
                if (!ranges)
                    return makeError(asReplacePattern(ranges.error()));
                for (size_t r = 0; r < ranges->size(); ++r) {
                    const auto [b, e] = (*ranges)[r];
                    out += isMatch[r] ? step.b : TokenizerFiles::toU32(utf8.substr(b, e - b));
                }
            } else {
                size_t i = 0;
                while (i < text.size()) {
                    if (text.compare(i, step.a.size(), step.a) == 0) {
                        out += step.b;
                        i += step.a.size();
                    } else {
                        out += text[i++];
                    }
                }
            }
            text = std::move(out);
            break;
        }
        case Step::Kind::Lowercase: {
            std::u32string out;
            for (const char32_t c : text)
                UnicodeTables::appendLower(c, out);
            text = std::move(out);
            break;
        }
        case Step::Kind::Nfc:
        case Step::Kind::Nfd:
        case Step::Kind::Nfkc:
        case Step::Kind::Nfkd:
            text = unicodeForm(text, step.kind);
            break;
        case Step::Kind::StripAccents: {
            std::u32string out;
            for (const char32_t c : text)
                if (!UnicodeTables::isNonSpacingMark(c))
                    out += c;
            text = std::move(out);
            break;
        }
        case Step::Kind::Strip: {
            size_t b = 0, e = text.size();
            if (step.left)
                while (b < e && UnicodeTables::isWhiteSpaceProperty(text[b]))
                    ++b;
            if (step.right)
                while (e > b && UnicodeTables::isWhiteSpaceProperty(text[e - 1]))
                    --e;
            text = text.substr(b, e - b);
            break;
        }
        }
    }
    return text;
}

} // namespace attn
