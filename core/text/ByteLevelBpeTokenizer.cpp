#include "ByteLevelBpeTokenizer.h"

#include "ByteLevelAlphabet.h"
#include "Gpt2PreTokenizer.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

namespace attn {

Expected<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeTokenizer::readFiles(
    const std::string& vocabJson, const std::string& mergesTxt, const HfTokenizerConfig& config)
{
    auto vocab = TokenizerFiles::read(vocabJson, TokenizerFiles::kMaxVocabFileBytes);
    if (!vocab)
        return vocab.takeError();
    auto merges = TokenizerFiles::read(mergesTxt, TokenizerFiles::kMaxVocabFileBytes);
    if (!merges)
        return merges.takeError();
    return fromBytes(*vocab, *merges, config, "'" + vocabJson + "'", "'" + mergesTxt + "'");
}

Expected<std::unique_ptr<ByteLevelBpeTokenizer>> ByteLevelBpeTokenizer::fromBytes(
    const std::string& vocabJson, const std::string& mergesTxt, const HfTokenizerConfig& config,
    const std::string& vocabName, const std::string& mergesName)
{
    auto tok = std::make_unique<ByteLevelBpeTokenizer>();
    {
        auto j = TokenizerFiles::parseJson(vocabJson, vocabName);
        if (!j)
            return j.takeError();
        if (!j->is_object())
            return makeError(vocabName + " must be a JSON object mapping tokens to ids");
        for (const auto& [token, id] : j->items()) {
            if (!id.is_number_integer())
                return makeError(
                    vocabName + ": the id of token " + TokenizerFiles::quoted(token) + " is not an integer");
            if (auto s = tok->m_vocab.add(token, id.get<int64_t>(), vocabName); !s)
                return s.takeError();
        }
        if (auto s = tok->m_vocab.finish(vocabName); !s)
            return s.takeError();
    }

    size_t lineStart = 0;
    int line = 0;
    while (lineStart < mergesTxt.size()) {
        size_t end = mergesTxt.find('\n', lineStart);
        if (end == std::string::npos)
            end = mergesTxt.size();
        std::string text = mergesTxt.substr(lineStart, end - lineStart);
        lineStart = end + 1;
        ++line;
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (text.empty() || text.rfind("#version", 0) == 0)
            continue;
        const std::string where = mergesName + " line " + std::to_string(line);
        const size_t space = text.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == text.size()
            || text.find(' ', space + 1) != std::string::npos)
            return makeError(
                where + ": expected two tokens separated by one space, got " + TokenizerFiles::quoted(text));
        const std::string a = text.substr(0, space);
        const std::string b = text.substr(space + 1);
        const auto ia = tok->m_vocab.id(a);
        const auto ib = tok->m_vocab.id(b);
        const auto iab = tok->m_vocab.id(a + b);
        if (!ia || !ib || !iab)
            return makeError(where + ": merge names a token that is not in the vocabulary: "
                + TokenizerFiles::quoted(!ia ? a
                        : !ib                ? b
                                             : a + b));
        tok->m_merges.add(*ia, *ib, *iab);
    }

    const auto& alphabet = ByteLevelAlphabet::instance();
    for (int b = 0; b < 256; ++b)
        tok->m_byteIds[static_cast<size_t>(b)]
            = tok->m_vocab.id(Utf8::encode(alphabet.toChar(static_cast<unsigned char>(b)))).value_or(-1);
    const std::string endOfText = "<|endoftext|>";
    tok->m_bos = tok->m_vocab.id(config.bos.value_or(endOfText));
    tok->m_eos = tok->m_vocab.id(config.eos.value_or(endOfText));
    tok->m_unk = tok->m_vocab.id(config.unk.value_or(endOfText));
    for (const auto& special : { config.bos.value_or(endOfText), config.eos.value_or(endOfText),
             config.unk.value_or(endOfText), config.pad.value_or(endOfText) })
        if (const auto id = tok->m_vocab.id(special))
            tok->m_specials.add(special, *id);
    return tok;
}

Status ByteLevelBpeTokenizer::encodePiece(const std::string& bytes, std::vector<int>& ids) const
{
    {
        std::lock_guard lock(m_cacheMutex);
        if (const auto it = m_cache.find(bytes); it != m_cache.end()) {
            ids.insert(ids.end(), it->second.begin(), it->second.end());
            return success();
        }
    }
    std::vector<int> word;
    word.reserve(bytes.size());
    for (const char c : bytes) {
        const int id = m_byteIds[static_cast<unsigned char>(c)];
        if (id >= 0) {
            word.push_back(id);
        } else if (m_unk) {
            word.push_back(*m_unk); // as GPT2Tokenizer: encoder.get(token, encoder.get(unk_token))
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned char>(c));
            return makeError(
                std::string("the vocabulary has no token for byte ") + buf + " and no unknown token");
        }
    }
    m_merges.apply(word, BpeMerges::Mode::AllOccurrences);
    ids.insert(ids.end(), word.begin(), word.end());
    if (bytes.size() > kCachedPieceBytes)
        return success();
    std::lock_guard lock(m_cacheMutex);
    if (m_cache.size() >= kCacheLimit)
        m_cache.clear();
    m_cache.emplace(bytes, std::move(word));
    return success();
}

Expected<TokenizedText> ByteLevelBpeTokenizer::encode(const std::string& text) const
{
    if (auto s = TokenizerFiles::checkUtf8(text); !s)
        return s.takeError();
    std::vector<int> ids;
    for (const auto& piece : m_specials.split(text)) {
        if (piece.id >= 0) {
            ids.push_back(piece.id);
            continue;
        }
        const std::u32string cps = TokenizerFiles::toU32(piece.text);
        for (const auto& [begin, end] : Gpt2PreTokenizer::split(cps))
            if (auto s = encodePiece(TokenizerFiles::toUtf8(cps, begin, end), ids); !s)
                return s.takeError();
    }
    TokenizedText out;
    out.labels.reserve(ids.size());
    for (const int id : ids)
        out.labels.push_back(m_vocab.token(id));
    out.ids = std::move(ids);
    return out;
}

Expected<TokenizedText> ByteLevelBpeTokenizer::encodeForModel(const std::string& text, bool addBos) const
{
    return encodeWithBos(text, addBos, m_bos, m_bos ? m_vocab.token(*m_bos) : std::string(),
        "the vocabulary has no BOS token to put before the text");
}

std::string ByteLevelBpeTokenizer::decode(int id) const
{
    if (!m_vocab.has(id))
        return {};
    return ByteLevelAlphabet::instance().decode(m_vocab.token(id));
}

} // namespace attn
