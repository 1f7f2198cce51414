#include "WordPieceTokenizer.h"

#include "UnicodeTables.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace attn {

namespace {

// BERT's _is_whitespace.
bool isBertWhitespace(char32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r'
        || UnicodeTables::category(c) == GeneralCategory::Zs;
}

// BERT's _is_control: category C* except the three whitespace controls.
bool isBertControl(char32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    return UnicodeTables::isOther(c);
}

// BERT's _is_punctuation: all non-letter/number ASCII, plus Unicode P*.
bool isBertPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
        return true;
    return UnicodeTables::isPunctuation(c);
}

// BERT's _is_chinese_char: the CJK Unified Ideographs blocks (not kana or hangul).
bool isBertChineseChar(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Python's str.isspace(), which str.split() splits on.
bool isPythonSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
}

std::vector<std::u32string> splitWhitespace(const std::u32string& text)
{
    std::vector<std::u32string> words;
    std::u32string current;
    for (const char32_t c : text) {
        if (isPythonSpace(c)) {
            if (!current.empty())
                words.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        words.push_back(std::move(current));
    return words;
}

} // namespace

Expected<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::readFile(
    const std::string& path, const HfTokenizerConfig& config)
{
    auto bytes = TokenizerFiles::read(path, TokenizerFiles::kMaxVocabFileBytes);
    if (!bytes)
        return bytes.takeError();
    return fromBytes(*bytes, config, "'" + path + "'");
}

Expected<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::fromBytes(
    const std::string& vocabTxt, const HfTokenizerConfig& config, const std::string& name)
{
    if (vocabTxt.empty())
        return makeError(name + " is empty: a WordPiece vocabulary needs one token per line");
    auto tok = std::make_unique<WordPieceTokenizer>();
    size_t lineStart = 0;
    int64_t line = 0;
    while (lineStart < vocabTxt.size()) {
        size_t end = vocabTxt.find('\n', lineStart);
        if (end == std::string::npos)
            end = vocabTxt.size();
        std::string token = vocabTxt.substr(lineStart, end - lineStart);
        if (!token.empty() && token.back() == '\r')
            token.pop_back();
        const std::string where = name + " line " + std::to_string(line + 1);
        if (auto s = TokenizerFiles::checkUtf8(token, where); !s)
            return s.takeError();
        if (auto s = tok->m_vocab.add(token, line, name); !s)
            return s.takeError();
        tok->m_maxTokenChars = std::max(tok->m_maxTokenChars, TokenizerFiles::toU32(token).size());
        ++line;
        lineStart = end + 1;
    }
    if (auto s = tok->m_vocab.finish(name); !s)
        return s.takeError();
    tok->m_lowerCase = config.doLowerCase.value_or(true);
    tok->m_stripAccents = config.stripAccents.value_or(tok->m_lowerCase);
    tok->m_chineseChars = config.tokenizeChineseChars;
    if (auto s = tok->setUpSpecials(config, config.unk.value_or("[UNK]"), name); !s)
        return s.takeError();
    return tok;
}

Expected<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::fromTokenizerJson(
    const nlohmann::json& root, const HfTokenizerConfig& config, const std::string& name)
{
    if (!root.is_object() || !root.contains("model")
        || TokenizerFiles::typeName(root["model"]) != "WordPiece")
        return makeError(name + " has no WordPiece \"model\" object");
    const nlohmann::json& model = root["model"];
    const std::string where = name + ": model";
    auto tok = std::make_unique<WordPieceTokenizer>();
    const auto vocab = model.find("vocab");
    if (vocab == model.end() || !vocab->is_object())
        return makeError(where + ": \"vocab\" must be an object mapping tokens to ids");
    for (const auto& [token, id] : vocab->items()) {
        if (!id.is_number_integer())
            return makeError(
                where + ": the id of token " + TokenizerFiles::quoted(token) + " is not an integer");
        if (auto s = tok->m_vocab.add(token, id.get<int64_t>(), where); !s)
            return s.takeError();
        tok->m_maxTokenChars = std::max(tok->m_maxTokenChars, TokenizerFiles::toU32(token).size());
    }
    if (auto s = tok->m_vocab.finish(where); !s)
        return s.takeError();
    if (model.contains("continuing_subword_prefix")
        && model["continuing_subword_prefix"] != nlohmann::json("##"))
        return makeError(where + ": only the continuing_subword_prefix \"##\" is supported");
    if (model.contains("max_input_chars_per_word")
        && model["max_input_chars_per_word"] != nlohmann::json(kMaxInputCharsPerWord))
        return makeError(where + ": only max_input_chars_per_word 100 is supported");
    // BertNormalizer's settings; no normalizer means none of its steps.
    const auto normalizer = root.value("normalizer", nlohmann::json());
    tok->m_lowerCase = tok->m_stripAccents = tok->m_chineseChars = false;
    if (!normalizer.is_null()) {
        if (!normalizer.is_object() || TokenizerFiles::typeName(normalizer) != "BertNormalizer")
            return makeError(name + ": normalizer: only BertNormalizer is supported with a WordPiece model");
        auto flag = [&](const char* key, bool fallback) {
            const auto it = normalizer.find(key);
            return (it == normalizer.end() || !it->is_boolean()) ? fallback : it->get<bool>();
        };
        if (!flag("clean_text", true))
            return makeError(name + ": normalizer: BertNormalizer without clean_text is not supported");
        tok->m_lowerCase = flag("lowercase", true);
        tok->m_stripAccents = flag("strip_accents", tok->m_lowerCase);
        tok->m_chineseChars = flag("handle_chinese_chars", true);
    }
    const auto pre = root.value("pre_tokenizer", nlohmann::json());
    if (TokenizerFiles::typeName(pre) != "BertPreTokenizer")
        return makeError(name + ": pre_tokenizer: only BertPreTokenizer is supported with a WordPiece model");
    std::string unk = config.unk.value_or("[UNK]");
    if (model.contains("unk_token") && model["unk_token"].is_string())
        unk = model["unk_token"].get<std::string>();
    if (auto s = tok->setUpSpecials(config, unk, where); !s)
        return s.takeError();
    if (const auto added = root.find("added_tokens"); added != root.end() && added->is_array())
        for (const auto& entry : *added)
            if (entry.is_object() && entry.contains("content") && entry["content"].is_string())
                if (const auto id = tok->m_vocab.id(entry["content"].get<std::string>()))
                    tok->m_specials.add(entry["content"].get<std::string>(), *id);
    return tok;
}

Status WordPieceTokenizer::setUpSpecials(
    const HfTokenizerConfig& config, const std::string& unk, const std::string& name)
{
    const auto unkId = m_vocab.id(unk);
    if (!unkId)
        return makeError(name + " has no unknown token " + TokenizerFiles::quoted(unk)
            + " (WordPiece needs it for words it cannot split)");
    m_unk = *unkId;
    m_cls = m_vocab.id(config.cls.value_or("[CLS]")).value_or(-1);
    m_sep = m_vocab.id(config.sep.value_or("[SEP]")).value_or(-1);
    const std::vector<std::string> specials { unk, config.cls.value_or("[CLS]"), config.sep.value_or("[SEP]"),
        config.pad.value_or("[PAD]"), config.mask.value_or("[MASK]"), config.bos.value_or(""),
        config.eos.value_or("") };
    for (const auto& special : specials)
        if (const auto id = m_vocab.id(special); id && !special.empty())
            m_specials.add(special, *id);
    return success();
}

std::optional<int> WordPieceTokenizer::bosId() const
{
    return m_cls >= 0 ? std::optional<int>(m_cls) : std::nullopt;
}

std::optional<int> WordPieceTokenizer::eosId() const
{
    return m_sep >= 0 ? std::optional<int>(m_sep) : std::nullopt;
}

std::vector<std::string> WordPieceTokenizer::basicTokenize(const std::string& validUtf8) const
{
    std::u32string cleaned;
    for (const char32_t c : TokenizerFiles::toU32(validUtf8)) {
        if (c == 0 || c == 0xFFFD || isBertControl(c))
            continue;
        if (isBertWhitespace(c)) {
            cleaned += U' ';
        } else if (m_chineseChars && isBertChineseChar(c)) {
            cleaned += U' ';
            cleaned += c;
            cleaned += U' ';
        } else {
            cleaned += c;
        }
    }
    std::vector<std::string> out;
    for (const auto& word : splitWhitespace(cleaned)) {
        std::u32string token;
        if (m_lowerCase) {
            for (const char32_t c : word)
                UnicodeTables::appendLower(c, token);
        } else {
            token = word;
        }
        if (m_stripAccents) {
            std::u32string decomposed;
            for (const char32_t c : token)
                UnicodeTables::appendDecomposition(c, decomposed);
            token.clear();
            for (const char32_t c : decomposed)
                if (!UnicodeTables::isNonSpacingMark(c))
                    token += c;
        }
        // Punctuation split; the final whitespace_tokenize drops what lower-casing or accent
        // stripping may have emptied or turned into spaces.
        std::u32string current;
        auto flush = [&] {
            for (const auto& piece : splitWhitespace(current))
                out.push_back(TokenizerFiles::toUtf8(piece));
            current.clear();
        };
        for (const char32_t c : token) {
            if (isBertPunctuation(c)) {
                flush();
                current = c;
                flush();
            } else {
                current += c;
            }
        }
        flush();
    }
    return out;
}

void WordPieceTokenizer::wordPiece(const std::u32string& word, TokenizedText& out) const
{
    auto pushUnk = [&] {
        out.ids.push_back(m_unk);
        out.labels.push_back(m_vocab.token(m_unk));
    };
    if (word.size() > static_cast<size_t>(kMaxInputCharsPerWord)) {
        pushUnk();
        return;
    }
    std::vector<int> pieces;
    size_t start = 0;
    while (start < word.size()) {
        // Candidates longer than the longest vocabulary token cannot match: start below that
        // (same result as HF's loop from the whole rest, in O(word x longest token)).
        size_t end = std::min(word.size(), start + m_maxTokenChars);
        std::optional<int> found;
        while (start < end) {
            std::string candidate = (start > 0 ? "##" : "") + TokenizerFiles::toUtf8(word, start, end);
            found = m_vocab.id(candidate);
            if (found)
                break;
            --end;
        }
        if (!found) {
            pushUnk();
            return;
        }
        pieces.push_back(*found);
        start = end;
    }
    for (const int id : pieces) {
        out.ids.push_back(id);
        out.labels.push_back(m_vocab.token(id));
    }
}

Expected<TokenizedText> WordPieceTokenizer::encode(const std::string& text) const
{
    if (auto s = TokenizerFiles::checkUtf8(text); !s)
        return s.takeError();
    TokenizedText out;
    for (const auto& piece : m_specials.split(text)) {
        if (piece.id >= 0) {
            out.ids.push_back(piece.id);
            out.labels.push_back(piece.text);
            continue;
        }
        for (const auto& word : basicTokenize(piece.text))
            wordPiece(TokenizerFiles::toU32(word), out);
    }
    return out;
}

Expected<TokenizedText> WordPieceTokenizer::encodeForModel(const std::string& text, bool /*addBos*/) const
{
    if (m_cls < 0 || m_sep < 0)
        return makeError("the WordPiece vocabulary has no [CLS] and [SEP] tokens to put around the text");
    auto tokens = encode(text);
    if (!tokens)
        return tokens;
    TokenizedText out;
    out.ids.reserve(tokens->ids.size() + 2);
    out.ids.push_back(m_cls);
    out.labels.push_back(m_vocab.token(m_cls));
    out.ids.insert(out.ids.end(), tokens->ids.begin(), tokens->ids.end());
    out.labels.insert(out.labels.end(), tokens->labels.begin(), tokens->labels.end());
    out.ids.push_back(m_sep);
    out.labels.push_back(m_vocab.token(m_sep));
    return out;
}

std::string WordPieceTokenizer::decode(int id) const
{
    const std::string& token = m_vocab.token(id);
    if (token.size() > 2 && token.compare(0, 2, "##") == 0)
        return token.substr(2);
    return token;
}

} // namespace attn
