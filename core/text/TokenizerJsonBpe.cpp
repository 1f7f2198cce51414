#include "TokenizerJsonBpe.h"

#include "ByteLevelAlphabet.h"
#include "Gpt2PreTokenizer.h"
#include "UnicodeTables.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace attn {

namespace {

using json = nlohmann::json;
using NormalizerStep = TokenizerJsonBpe::NormalizerStep;
using PreTokenizerStep = TokenizerJsonBpe::PreTokenizerStep;

constexpr size_t kMaxSteps = 64; // normalizer / pre-tokenizer steps, far more than any real tokenizer has
constexpr int kMaxNesting = 8; // Sequences inside Sequences

std::string typeOf(const json& j)
{
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        return {};
    return j["type"].get<std::string>();
}

// A string field; an error when present with another type (or missing and required).
Expected<std::optional<std::string>> stringField(
    const json& j, const char* key, const std::string& where, bool required)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required)
            return makeError(where + ": missing \"" + key + "\"");
        return std::optional<std::string>();
    }
    if (!it->is_string())
        return makeError(where + ": \"" + key + "\" must be a string");
    const std::string s = it->get<std::string>();
    if (auto ok = TokenizerFiles::checkUtf8(s, where + ": \"" + key + "\""); !ok)
        return ok.takeError();
    return std::optional<std::string>(s);
}

Expected<bool> boolField(const json& j, const char* key, const std::string& where, bool fallback)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        return makeError(where + ": \"" + key + "\" must be true or false");
    return it->get<bool>();
}

// A Replace pattern: {"String": " "}; regex patterns are not supported.
Expected<std::string> replacePattern(const json& step, const std::string& where)
{
    const auto it = step.find("pattern");
    if (it == step.end() || !it->is_object())
        return makeError(where + ": Replace needs a \"pattern\" object");
    if (it->contains("Regex"))
        return makeError(where + ": Replace with a Regex pattern is not supported");
    if (!it->contains("String") || !(*it)["String"].is_string() || (*it)["String"].get<std::string>().empty())
        return makeError(where + ": Replace needs a non-empty \"String\" pattern");
    const std::string s = (*it)["String"].get<std::string>();
    if (auto ok = TokenizerFiles::checkUtf8(s, where + ": the Replace pattern"); !ok)
        return ok.takeError();
    return s;
}

Status readNormalizer(
    const json& j, const std::string& where, std::vector<NormalizerStep>& out, int depth = 0)
{
    if (j.is_null())
        return success();
    if (out.size() > kMaxSteps || depth > kMaxNesting)
        return makeError(where + ": more than " + std::to_string(kMaxSteps) + " normalizer steps or "
            + std::to_string(kMaxNesting) + " nested Sequences");
    const std::string type = typeOf(j);
    if (type == "Sequence") {
        if (!j.contains("normalizers") || !j["normalizers"].is_array())
            return makeError(where + ": a Sequence normalizer needs a \"normalizers\" array");
        for (const auto& step : j["normalizers"])
            if (auto s = readNormalizer(step, where, out, depth + 1); !s)
                return s;
        return success();
    }
    NormalizerStep step {};
    if (type == "Prepend") {
        auto p = stringField(j, "prepend", where + ": Prepend", true);
        if (!p)
            return p.takeError();
        step.kind = NormalizerStep::Kind::Prepend;
        step.a = TokenizerFiles::toU32(**p);
    } else if (type == "Replace") {
        auto pattern = replacePattern(j, where);
        if (!pattern)
            return pattern.takeError();
        auto content = stringField(j, "content", where + ": Replace", true);
        if (!content)
            return content.takeError();
        step.kind = NormalizerStep::Kind::Replace;
        step.a = TokenizerFiles::toU32(*pattern);
        step.b = TokenizerFiles::toU32(**content);
    } else if (type == "Lowercase") {
        step.kind = NormalizerStep::Kind::Lowercase;
    } else if (type == "NFD") {
        step.kind = NormalizerStep::Kind::Nfd;
    } else if (type == "NFC") {
        return success(); // the identity here; see the header
    } else if (type == "Strip") {
        auto left = boolField(j, "strip_left", where + ": Strip", true);
        auto right = boolField(j, "strip_right", where + ": Strip", true);
        if (!left || !right)
            return makeError(!left ? left.error() : right.error());
        step.kind = NormalizerStep::Kind::Strip;
        step.left = *left;
        step.right = *right;
    } else {
        return makeError(where + ": normalizer type '" + (type.empty() ? std::string("(none)") : type)
            + "' is not supported (supported: Sequence, Prepend, Replace, Lowercase, NFD, NFC, Strip)");
    }
    out.push_back(std::move(step));
    return success();
}

Status readPreTokenizer(
    const json& j, const std::string& where, std::vector<PreTokenizerStep>& out, int depth = 0)
{
    if (j.is_null())
        return success();
    if (out.size() > kMaxSteps || depth > kMaxNesting)
        return makeError(where + ": more than " + std::to_string(kMaxSteps) + " pre-tokenizer steps or "
            + std::to_string(kMaxNesting) + " nested Sequences");
    const std::string type = typeOf(j);
    if (type == "Sequence") {
        if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array())
            return makeError(where + ": a Sequence pre-tokenizer needs a \"pretokenizers\" array");
        for (const auto& step : j["pretokenizers"])
            if (auto s = readPreTokenizer(step, where, out, depth + 1); !s)
                return s;
        return success();
    }
    PreTokenizerStep step {};
    if (type == "ByteLevel") {
        auto prefix = boolField(j, "add_prefix_space", where + ": ByteLevel", true);
        auto regex = boolField(j, "use_regex", where + ": ByteLevel", true);
        if (!prefix || !regex)
            return makeError(!prefix ? prefix.error() : regex.error());
        step.kind = PreTokenizerStep::Kind::ByteLevel;
        step.addPrefixSpace = *prefix;
        step.useRegex = *regex;
    } else if (type == "Split") {
        step.kind = PreTokenizerStep::Kind::Split;
        const json* pattern = j.contains("pattern") ? &j["pattern"] : nullptr;
        std::string source;
        if (pattern && pattern->is_object() && pattern->contains("Regex") && (*pattern)["Regex"].is_string())
            source = (*pattern)["Regex"].get<std::string>();
        else if (pattern && pattern->is_object() && pattern->contains("String") && (*pattern)["String"].is_string())
            source = RegexSplitter::quote((*pattern)["String"].get<std::string>());
        else
            return makeError(where + ": Split needs a \"pattern\" of {\"Regex\": ...} or {\"String\": ...}");
        auto behaviorField = stringField(j, "behavior", where + ": Split", true);
        if (!behaviorField)
            return behaviorField.takeError();
        const std::string behavior = behaviorField->value_or("");
        if (behavior != "Isolated" && behavior != "Removed")
            return makeError(where + ": Split behavior '" + behavior + "' is not supported (supported: Isolated, Removed)");
        step.removeMatches = behavior == "Removed";
        auto invert = boolField(j, "invert", where + ": Split", false);
        if (!invert)
            return invert.takeError();
        if (*invert)
            return makeError(where + ": Split with \"invert\": true is not supported");
        auto compiled = RegexSplitter::compile(source);
        if (!compiled)
            return makeError(where + ": Split: " + compiled.error());
        step.regex = *compiled;
    } else if (type == "Digits") {
        step.kind = PreTokenizerStep::Kind::Digits;
        auto individual = boolField(j, "individual_digits", where + ": Digits", false);
        if (!individual)
            return individual.takeError();
        step.individualDigits = *individual;
    } else if (type == "Punctuation") {
        step.kind = PreTokenizerStep::Kind::Punctuation;
        auto behaviorField = stringField(j, "behavior", where + ": Punctuation", false);
        if (!behaviorField)
            return behaviorField.takeError();
        const std::string behavior = behaviorField->value_or("Isolated");
        if (behavior != "Isolated")
            return makeError(where + ": Punctuation behavior '" + behavior + "' is not supported (supported: Isolated)");
    } else if (type == "Metaspace") {
        step.kind = PreTokenizerStep::Kind::Metaspace;
        auto replacement = stringField(j, "replacement", where + ": Metaspace", false);
        if (!replacement)
            return replacement.takeError();
        if (*replacement) {
            const auto cps = TokenizerFiles::toU32(**replacement);
            if (cps.size() != 1)
                return makeError(where + ": Metaspace \"replacement\" must be one character");
            step.replacement = cps[0];
        }
        auto prefix = boolField(j, "add_prefix_space", where + ": Metaspace", true);
        auto split = boolField(j, "split", where + ": Metaspace", true);
        if (!prefix || !split)
            return makeError(!prefix ? prefix.error() : split.error());
        step.prepend = *prefix ? PreTokenizerStep::Prepend::Always : PreTokenizerStep::Prepend::Never;
        step.split = *split;
        auto scheme = stringField(j, "prepend_scheme", where + ": Metaspace", false);
        if (!scheme)
            return scheme.takeError();
        if (*scheme) {
            if (**scheme == "always")
                step.prepend = PreTokenizerStep::Prepend::Always;
            else if (**scheme == "first")
                step.prepend = PreTokenizerStep::Prepend::First;
            else if (**scheme == "never")
                step.prepend = PreTokenizerStep::Prepend::Never;
            else
                return makeError(where + ": Metaspace \"prepend_scheme\" must be always, first or never");
        }
    } else {
        return makeError(where + ": pre-tokenizer type '" + (type.empty() ? std::string("(none)") : type)
            + "' is not supported (supported: Sequence, ByteLevel, Metaspace, Split, Digits, Punctuation)");
    }
    out.push_back(step);
    return success();
}

bool containsType(const json& j, const std::string& type, int depth = 0)
{
    if (depth > 16 || !j.is_object())
        return false;
    if (typeOf(j) == type)
        return true;
    for (const char* key : { "decoders", "pretokenizers" })
        if (j.contains(key) && j[key].is_array())
            for (const auto& item : j[key])
                if (containsType(item, type, depth + 1))
                    return true;
    return false;
}

std::u32string normalize(std::u32string text, const std::vector<NormalizerStep>& steps)
{
    for (const auto& step : steps) {
        switch (step.kind) {
        case NormalizerStep::Kind::Prepend:
            if (!text.empty())
                text = step.a + text;
            break;
        case NormalizerStep::Kind::Replace: {
            std::u32string out;
            size_t i = 0;
            while (i < text.size()) {
                if (text.compare(i, step.a.size(), step.a) == 0) {
                    out += step.b;
                    i += step.a.size();
                } else {
                    out += text[i++];
                }
            }
            text = std::move(out);
            break;
        }
        case NormalizerStep::Kind::Lowercase: {
            std::u32string out;
            for (const char32_t c : text)
                UnicodeTables::appendLower(c, out);
            text = std::move(out);
            break;
        }
        case NormalizerStep::Kind::Nfd: {
            std::u32string out;
            for (const char32_t c : text)
                UnicodeTables::appendDecomposition(c, out);
            text = std::move(out);
            break;
        }
        case NormalizerStep::Kind::Strip: {
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

Expected<std::vector<std::u32string>> preTokenize(
    std::u32string text, const std::vector<PreTokenizerStep>& steps, bool atTextStart)
{
    std::vector<std::u32string> pieces { std::move(text) };
    const auto& alphabet = ByteLevelAlphabet::instance();
    for (const auto& step : steps) {
        std::vector<std::u32string> next;
        for (size_t p = 0; p < pieces.size(); ++p) {
            std::u32string piece = pieces[p];
            if (step.kind == PreTokenizerStep::Kind::Split) {
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
            if (step.kind == PreTokenizerStep::Kind::Digits || step.kind == PreTokenizerStep::Kind::Punctuation) {
                // Digits: runs of 0-9 (or each digit) apart from the rest; Punctuation: each mark alone.
                auto isDigit = [](char32_t c) { return c >= U'0' && c <= U'9'; };
                size_t start = 0;
                for (size_t i = 0; i < piece.size(); ++i) {
                    const char32_t c = piece[i];
                    bool alone = false, boundary = false;
                    if (step.kind == PreTokenizerStep::Kind::Digits) {
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
            if (step.kind == PreTokenizerStep::Kind::ByteLevel) {
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
            const bool prepend = step.prepend == PreTokenizerStep::Prepend::Always
                || (step.prepend == PreTokenizerStep::Prepend::First && atTextStart && p == 0);
            if (prepend && (piece.empty() || piece[0] != step.replacement))
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

} // namespace

Expected<std::unique_ptr<TokenizerJsonBpe>> TokenizerJsonBpe::readFile(
    const std::string& path, const HfTokenizerConfig& config)
{
    auto j = TokenizerFiles::readJson(path, TokenizerFiles::kMaxVocabFileBytes);
    if (!j)
        return j.takeError();
    return fromJson(*j, config, "'" + path + "'");
}

Expected<std::unique_ptr<TokenizerJsonBpe>> TokenizerJsonBpe::fromJson(
    const json& root, const HfTokenizerConfig& config, const std::string& name)
{
    if (!root.is_object())
        return makeError(name + " must hold a JSON object");
    const auto modelIt = root.find("model");
    if (modelIt == root.end() || !modelIt->is_object())
        return makeError(name + " has no \"model\" object");
    const json& model = *modelIt;
    // Old files omit "type" for BPE; tokenizers then recognises BPE by its "merges".
    const std::string type = model.contains("type") ? typeOf(model) : (model.contains("merges") ? "BPE" : "");
    if (type != "BPE")
        return makeError(name + ": model type '" + (type.empty() ? std::string("(none)") : type)
            + "' is not supported (only BPE and WordPiece)");
    const std::string where = name + ": model";
    for (const char* key : { "continuing_subword_prefix", "end_of_word_suffix" }) {
        auto s = stringField(model, key, where, false);
        if (!s)
            return s.takeError();
        if (*s && !(*s)->empty())
            return makeError(where + ": \"" + key + "\" is not supported");
    }

    auto tok = std::make_unique<TokenizerJsonBpe>();
    const auto vocabIt = model.find("vocab");
    if (vocabIt == model.end() || !vocabIt->is_object())
        return makeError(where + ": \"vocab\" must be an object mapping tokens to ids");
    for (const auto& [token, id] : vocabIt->items()) {
        if (!id.is_number_integer())
            return makeError(
                where + ": the id of token " + TokenizerFiles::quoted(token) + " is not an integer");
        if (auto s = TokenizerFiles::checkUtf8(token, where + ": a vocabulary token"); !s)
            return s.takeError();
        if (auto s = tok->m_vocab.add(token, id.get<int64_t>(), where); !s)
            return s.takeError();
    }
    std::vector<std::pair<std::string, int>> added;
    if (const auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
        if (!it->is_array())
            return makeError(name + ": \"added_tokens\" must be an array");
        for (const auto& entry : *it) {
            if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_integer())
                return makeError(name + ": every added token needs an integer \"id\"");
            auto content = stringField(entry, "content", name + ": added token", true);
            if (!content)
                return content.takeError();
            if ((*content)->empty())
                return makeError(name + ": an added token has empty \"content\"");
            if (auto s = tok->m_vocab.add(**content, entry["id"].get<int64_t>(), name + ": added_tokens"); !s)
                return s.takeError();
            added.emplace_back(**content, static_cast<int>(entry["id"].get<int64_t>()));
        }
    }
    if (auto s = tok->m_vocab.finish(where); !s)
        return s.takeError();
    for (const auto& [content, id] : added)
        tok->m_added.add(content, id);

    const auto mergesIt = model.find("merges");
    if (mergesIt != model.end() && !mergesIt->is_null()) {
        if (!mergesIt->is_array())
            return makeError(where + ": \"merges\" must be an array");
        size_t index = 0;
        for (const auto& m : *mergesIt) {
            const std::string at = where + ": merge " + std::to_string(index++);
            std::string a, b;
            if (m.is_string()) {
                const std::string s = m.get<std::string>();
                const size_t space = s.find(' ');
                if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                    return makeError(
                        at + ": expected \"a b\" (two tokens, one space), got " + TokenizerFiles::quoted(s));
                a = s.substr(0, space);
                b = s.substr(space + 1);
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                a = m[0].get<std::string>();
                b = m[1].get<std::string>();
            } else {
                return makeError(at + ": expected a string \"a b\" or a pair [\"a\", \"b\"]");
            }
            const auto ia = tok->m_vocab.id(a);
            const auto ib = tok->m_vocab.id(b);
            const auto iab = tok->m_vocab.id(a + b);
            if (!ia || !ib || !iab)
                return makeError(at + " names a token that is not in the vocabulary: "
                    + TokenizerFiles::quoted(!ia ? a
                            : !ib                ? b
                                                 : a + b));
            tok->m_merges.add(*ia, *ib, *iab);
        }
    }

    auto unk = stringField(model, "unk_token", where, false);
    if (!unk)
        return unk.takeError();
    if (*unk) {
        tok->m_unk = tok->m_vocab.id(**unk);
        if (!tok->m_unk)
            return makeError(
                where + ": unk_token " + TokenizerFiles::quoted(**unk) + " is not in the vocabulary");
    }
    auto fuse = boolField(model, "fuse_unk", where, false);
    auto fallback = boolField(model, "byte_fallback", where, false);
    auto ignore = boolField(model, "ignore_merges", where, false);
    for (const auto* b : { &fuse, &fallback, &ignore })
        if (!*b)
            return b->takeError();
    tok->m_fuseUnk = *fuse;
    tok->m_byteFallback = *fallback;
    tok->m_ignoreMerges = *ignore;
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        tok->m_byteFallbackIds[static_cast<size_t>(b)] = tok->m_vocab.id(buf).value_or(-1);
    }

    if (auto s = readNormalizer(root.value("normalizer", json()), name + ": normalizer", tok->m_normalizer);
        !s)
        return s.takeError();
    if (auto s = readPreTokenizer(
            root.value("pre_tokenizer", json()), name + ": pre_tokenizer", tok->m_preTokenizer);
        !s)
        return s.takeError();
    tok->m_byteLevelDecode = containsType(root.value("decoder", json()), "ByteLevel")
        || containsType(root.value("pre_tokenizer", json()), "ByteLevel");

    auto firstKnown = [&](std::initializer_list<std::string> names) -> std::optional<int> {
        for (const auto& n : names)
            if (const auto id = tok->m_vocab.id(n))
                return id;
        return std::nullopt;
    };
    tok->m_bos = config.bos ? tok->m_vocab.id(*config.bos)
                            : firstKnown({ "<s>", "<|begin_of_text|>", "<|endoftext|>" });
    tok->m_eos = config.eos ? tok->m_vocab.id(*config.eos)
                            : firstKnown({ "</s>", "<|end_of_text|>", "<|endoftext|>" });
    for (const auto& special : { config.bos, config.eos, config.unk, config.pad })
        if (special)
            if (const auto id = tok->m_vocab.id(*special))
                tok->m_added.add(*special, *id);
    return tok;
}

void TokenizerJsonBpe::tokenizeWord(const std::u32string& word, std::vector<int>& ids) const
{
    if (m_ignoreMerges)
        if (const auto id = m_vocab.id(TokenizerFiles::toUtf8(word))) {
            ids.push_back(*id);
            return;
        }
    // tokenizers' BPE::merge_word: known characters as themselves, else their bytes, else unk
    // (fused; a pending unk is only written when the next known character comes, as there).
    std::vector<int> symbols;
    std::optional<int> pendingUnk;
    for (const char32_t c : word) {
        const std::string s = Utf8::encode(c);
        if (const auto id = m_vocab.id(s)) {
            if (pendingUnk) {
                symbols.push_back(*pendingUnk);
                pendingUnk.reset();
            }
            symbols.push_back(*id);
            continue;
        }
        if (m_byteFallback) {
            bool all = true;
            for (const char b : s)
                all = all && m_byteFallbackIds[static_cast<unsigned char>(b)] >= 0;
            if (all) {
                for (const char b : s)
                    symbols.push_back(m_byteFallbackIds[static_cast<unsigned char>(b)]);
                continue;
            }
        }
        if (m_unk) {
            if (pendingUnk && !m_fuseUnk)
                symbols.push_back(*pendingUnk);
            if (!pendingUnk || !m_fuseUnk)
                pendingUnk = *m_unk;
        }
    }
    if (pendingUnk)
        symbols.push_back(*pendingUnk);
    m_merges.apply(symbols, BpeMerges::Mode::Leftmost);
    ids.insert(ids.end(), symbols.begin(), symbols.end());
}

Expected<TokenizedText> TokenizerJsonBpe::encode(const std::string& text) const
{
    if (auto s = TokenizerFiles::checkUtf8(text); !s)
        return s.takeError();
    std::vector<int> ids;
    bool atStart = true;
    for (const auto& piece : m_added.split(text)) {
        if (piece.id >= 0) {
            ids.push_back(piece.id);
            atStart = false;
            continue;
        }
        const auto normalized = normalize(TokenizerFiles::toU32(piece.text), m_normalizer);
        auto words = preTokenize(normalized, m_preTokenizer, atStart);
        if (!words)
            return words.takeError();
        for (const auto& word : *words)
            tokenizeWord(word, ids);
        atStart = false;
    }
    TokenizedText out;
    out.labels.reserve(ids.size());
    for (const int id : ids)
        out.labels.push_back(m_vocab.token(id));
    out.ids = std::move(ids);
    return out;
}

Expected<TokenizedText> TokenizerJsonBpe::encodeForModel(const std::string& text, bool addBos) const
{
    return encodeWithBos(text, addBos, m_bos, m_bos ? m_vocab.token(*m_bos) : std::string(),
        "the tokenizer has no BOS token to put before the text (no bos_token in "
        "tokenizer_config.json and no <s>, <|begin_of_text|> or <|endoftext|>)");
}

std::string TokenizerJsonBpe::decode(int id) const
{
    if (!m_vocab.has(id))
        return {};
    const std::string& token = m_vocab.token(id);
    if (m_byteLevelDecode)
        return ByteLevelAlphabet::instance().decode(token);
    if (m_byteFallback && token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>') {
        for (int b = 0; b < 256; ++b)
            if (m_byteFallbackIds[static_cast<size_t>(b)] == id)
                return std::string(1, static_cast<char>(b));
    }
    std::string out;
    for (const auto& cp : Utf8::decode(token)) {
        if (cp.value == 0x2581)
            out += ' ';
        else
            out.append(token, cp.offset, cp.length);
    }
    return out;
}

} // namespace attn
