#include "TokenizerPreTokenizer.h"

#include "ByteLevelAlphabet.h"
#include "Gpt2PreTokenizer.h"
#include "TokenizerFiles.h"
#include "TokenizerJsonFields.h"
#include "UnicodeTables.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

namespace attn {

Expected<TokenizerPreTokenizer> TokenizerPreTokenizer::fromJson(const nlohmann::json& j, const std::string& where)
{
    TokenizerPreTokenizer p;
    if (auto s = p.read(j, where, 0); !s)
        return s.takeError();
    return p;
}

bool TokenizerPreTokenizer::has(Step::Kind kind) const
{
    for (const auto& step : m_steps)
        if (step.kind == kind)
            return true;
    return false;
}

Status TokenizerPreTokenizer::read(const nlohmann::json& j, const std::string& where, int depth)
{
    if (j.is_null())
        return success();
    if (m_steps.size() > kMaxSteps || depth > kMaxNesting)
        return makeError(where + ": more than " + std::to_string(kMaxSteps) + " pre-tokenizer steps or "
            + std::to_string(kMaxNesting) + " nested Sequences");
    const std::string type = TokenizerFiles::typeName(j);
    if (type == "Sequence") {
        if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array())
            return makeError(where + ": a Sequence pre-tokenizer needs a \"pretokenizers\" array");
        for (const auto& step : j["pretokenizers"])
            if (auto s = read(step, where, depth + 1); !s)
                return s;
        return success();
    }
    Step step {};
    if (type == "ByteLevel") {
        auto prefix = TokenizerJsonFields::boolean(j, "add_prefix_space", where + ": ByteLevel", true);
        auto regex = TokenizerJsonFields::boolean(j, "use_regex", where + ": ByteLevel", true);
        if (!prefix || !regex)
            return makeError(!prefix ? prefix.error() : regex.error());
        step.kind = Step::Kind::ByteLevel;
        step.addPrefixSpace = *prefix;
        step.useRegex = *regex;
    } else if (type == "Split") {
        step.kind = Step::Kind::Split;
        const nlohmann::json* pattern = j.contains("pattern") ? &j["pattern"] : nullptr;
        std::string source;
        if (pattern && pattern->is_object() && pattern->contains("Regex") && (*pattern)["Regex"].is_string())
            source = (*pattern)["Regex"].get<std::string>();
        else if (pattern && pattern->is_object() && pattern->contains("String") && (*pattern)["String"].is_string())
            source = RegexSplitter::quote((*pattern)["String"].get<std::string>());
        else
            return makeError(where + ": Split needs a \"pattern\" of {\"Regex\": ...} or {\"String\": ...}");
        auto behaviorField = TokenizerJsonFields::string(j, "behavior", where + ": Split", true);
        if (!behaviorField)
            return behaviorField.takeError();
        const std::string behavior = behaviorField->value_or("");
        if (behavior != "Isolated" && behavior != "Removed")
            return makeError(where + ": Split behavior '" + behavior + "' is not supported (supported: Isolated, Removed)");
        step.removeMatches = behavior == "Removed";
        auto invert = TokenizerJsonFields::boolean(j, "invert", where + ": Split", false);
        if (!invert)
            return invert.takeError();
        if (*invert)
            return makeError(where + ": Split with \"invert\": true is not supported");
        auto compiled = RegexSplitter::compile(source);
        if (!compiled)
            return makeError(where + ": Split: " + compiled.error());
        step.regex = *compiled;
    } else if (type == "Digits") {
        step.kind = Step::Kind::Digits;
        auto individual = TokenizerJsonFields::boolean(j, "individual_digits", where + ": Digits", false);
        if (!individual)
            return individual.takeError();
        step.individualDigits = *individual;
    } else if (type == "Punctuation") {
        step.kind = Step::Kind::Punctuation;
        auto behaviorField = TokenizerJsonFields::string(j, "behavior", where + ": Punctuation", false);
        if (!behaviorField)
            return behaviorField.takeError();
        const std::string behavior = behaviorField->value_or("Isolated");
        if (behavior != "Isolated")
            return makeError(where + ": Punctuation behavior '" + behavior + "' is not supported (supported: Isolated)");
    } else if (type == "Metaspace") {
        step.kind = Step::Kind::Metaspace;
        auto replacement = TokenizerJsonFields::string(j, "replacement", where + ": Metaspace", false);
        if (!replacement)
            return replacement.takeError();
        if (*replacement) {
            const auto cps = TokenizerFiles::toU32(**replacement);
            if (cps.size() != 1)
                return makeError(where + ": Metaspace \"replacement\" must be one character");
            step.replacement = cps[0];
        }
        auto prefix = TokenizerJsonFields::boolean(j, "add_prefix_space", where + ": Metaspace", true);
        auto split = TokenizerJsonFields::boolean(j, "split", where + ": Metaspace", true);
        if (!prefix || !split)
            return makeError(!prefix ? prefix.error() : split.error());
        step.prepend = *prefix ? Step::Prepend::Always : Step::Prepend::Never;
        step.split = *split;
        auto scheme = TokenizerJsonFields::string(j, "prepend_scheme", where + ": Metaspace", false);
        if (!scheme)
            return scheme.takeError();
        if (*scheme) {
            if (**scheme == "always")
                step.prepend = Step::Prepend::Always;
            else if (**scheme == "first")
                step.prepend = Step::Prepend::First;
            else if (**scheme == "never")
                step.prepend = Step::Prepend::Never;
            else
                return makeError(where + ": Metaspace \"prepend_scheme\" must be always, first or never");
        }
    } else if (type == "WhitespaceSplit") {
        step.kind = Step::Kind::WhitespaceSplit;
    } else {
        return makeError(where + ": pre-tokenizer type '" + TokenizerJsonFields::shown(type)
            + "' is not supported (supported: Sequence, ByteLevel, Metaspace, WhitespaceSplit, Split, Digits, "
              "Punctuation)");
    }
    m_steps.push_back(step);
    return success();
}

Expected<std::vector<std::u32string>> TokenizerPreTokenizer::split(std::u32string text, bool atTextStart) const
{
    // Empty pieces are dropped before every step, as tokenizers' PreTokenizedString::split does.
    std::vector<std::u32string> pieces;
    if (!text.empty())
        pieces.push_back(std::move(text));
    const auto& alphabet = ByteLevelAlphabet::instance();
    for (const auto& step : m_steps) {
        std::vector<std::u32string> next;
        for (size_t p = 0; p < pieces.size(); ++p) {
            std::u32string piece = pieces[p];
            if (step.kind == Step::Kind::Split) {
                const std::string utf8 = TokenizerFiles::toUtf8(piece);
                std::vector<bool> isMatch;
                auto ranges = step.regex->split(utf8, &isMatch);
                if (!ranges)
                    return ranges.takeError();
                for (size_t r = 0; r < ranges->size(); ++r)
                    if (!(step.removeMatches && isMatch[r]))
                        next.push_back(TokenizerFiles::toU32(utf8.substr((*ranges)[r].first, (*ranges)[r].second - (*ranges)[r].first)));
                continue;
            }
            if (step.kind == Step::Kind::Digits || step.kind == Step::Kind::Punctuation) {
                // Digits: runs of 0-9 (or each digit) apart from the rest; Punctuation: each mark alone.
                auto isDigit = [](char32_t c) { return c >= U'0' && c <= U'9'; };
                size_t start = 0;
                for (size_t i = 0; i < piece.size(); ++i) {
                    const char32_t c = piece[i];
                    bool alone = false, boundary = false;
                    if (step.kind == Step::Kind::Digits) {
                        alone = step.individualDigits && isDigit(c);
                        boundary = i > 0 && isDigit(c) != isDigit(piece[i - 1]);
                    } else {
                        alone = Utf8::isPunctuation(c);
                        boundary = i > 0 && Utf8::isPunctuation(piece[i - 1]);
                    }
                    if ((alone || boundary) && i > start) {
                        next.push_back(piece.substr(start, i - start));
                        start = i;
                    }
                }
                if (start < piece.size())
                    next.push_back(piece.substr(start));
                continue;
            }
            if (step.kind == Step::Kind::WhitespaceSplit) {
                // tokenizers: split on char::is_whitespace (the White_Space property), removed.
                size_t start = 0;
                for (size_t i = 0; i <= piece.size(); ++i) {
                    if (i == piece.size() || UnicodeTables::isWhiteSpaceProperty(piece[i])) {
                        if (i > start)
                            next.push_back(piece.substr(start, i - start));
                        start = i + 1;
                    }
                }
                continue;
            }
            if (step.kind == Step::Kind::ByteLevel) {
                if (step.addPrefixSpace && (piece.empty() || piece[0] != U' '))
                    piece.insert(piece.begin(), U' ');
                std::vector<std::pair<size_t, size_t>> ranges;
                if (step.useRegex)
                    ranges = Gpt2PreTokenizer::split(piece);
                else
                    ranges.emplace_back(0, piece.size());
                for (const auto& [b, e] : ranges) {
                    std::u32string mapped;
                    for (const char c : TokenizerFiles::toUtf8(piece, b, e))
                        mapped += alphabet.toChar(static_cast<unsigned char>(c));
                    next.push_back(std::move(mapped));
                }
                continue;
            }
            // Metaspace
            for (auto& c : piece)
                if (c == U' ')
                    c = step.replacement;
            const bool prepend = step.prepend == Step::Prepend::Always
                || (step.prepend == Step::Prepend::First && atTextStart && p == 0);
            if (prepend && piece[0] != step.replacement)
                piece.insert(piece.begin(), step.replacement);
            if (!step.split) {
                next.push_back(std::move(piece));
                continue;
            }
            size_t start = 0;
            for (size_t i = 1; i <= piece.size(); ++i) {
                if (i == piece.size() || piece[i] == step.replacement) {
                    if (i > start)
                        next.push_back(piece.substr(start, i - start));
                    start = i;
                }
            }
        }
        pieces.clear();
        for (auto& piece : next)
            if (!piece.empty())
                pieces.push_back(std::move(piece));
    }
    return pieces;
}

} // namespace attn
