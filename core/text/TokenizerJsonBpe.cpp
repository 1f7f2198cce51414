#include "TokenizerJsonBpe.h"

#include "ByteLevelAlphabet.h"
#include "TokenizerJsonFields.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace attn {

namespace {

using json = nlohmann::json;

bool containsType(const json& j, const std::string& type, int depth = 0)
{
    if (depth > 16 || !j.is_object())
        return false;
    if (TokenizerFiles::typeName(j) == type)
        return true;
    for (const char* key : { "decoders", "pretokenizers" })
        if (j.contains(key) && j[key].is_array())
            for (const auto& item : j[key])
                if (containsType(item, type, depth + 1))
                    return true;
    return false;
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
    const std::string type = model.contains("type") ? TokenizerFiles::typeName(model) : (model.contains("merges") ? "BPE" : "");
    if (type != "BPE")
        return makeError(name + ": model type '" + TokenizerJsonFields::shown(type)
            + "' is not supported (only BPE, Unigram and WordPiece)");
    const std::string where = name + ": model";
    for (const char* key : { "continuing_subword_prefix", "end_of_word_suffix" }) {
        auto s = TokenizerJsonFields::string(model, key, where, false);
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
    auto added = TokenizerJsonPipeline::readAddedTokens(root, tok->m_vocab, name);
    if (!added)
        return added.takeError();
    if (auto s = tok->m_vocab.finish(where); !s)
        return s.takeError();

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

    auto unk = TokenizerJsonFields::string(model, "unk_token", where, false);
    if (!unk)
        return unk.takeError();
    if (*unk) {
        tok->m_unk = tok->m_vocab.id(**unk);
        if (!tok->m_unk)
            return makeError(
                where + ": unk_token " + TokenizerFiles::quoted(**unk) + " is not in the vocabulary");
    }
    auto fuse = TokenizerJsonFields::boolean(model, "fuse_unk", where, false);
    auto fallback = TokenizerJsonFields::boolean(model, "byte_fallback", where, false);
    auto ignore = TokenizerJsonFields::boolean(model, "ignore_merges", where, false);
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

    auto pipeline = TokenizerJsonPipeline::read(root, config, tok->m_vocab, *added, name);
    if (!pipeline)
        return pipeline.takeError();
    tok->m_pipeline = std::move(*pipeline);
    tok->m_byteLevelDecode = containsType(root.value("decoder", json()), "ByteLevel")
        || containsType(root.value("pre_tokenizer", json()), "ByteLevel");
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
    auto ids = m_pipeline.encode(text, [this](const std::u32string& word, std::vector<int>& out) {
        tokenizeWord(word, out);
        return success();
    });
    if (!ids)
        return ids.takeError();
    return TokenizerJsonPipeline::labelled(std::move(*ids), m_vocab);
}

Expected<TokenizedText> TokenizerJsonBpe::encodeForModel(const std::string& text, bool addBos) const
{
    if (m_pipeline.postProcessor().decides()) {
        auto tokens = encode(text);
        if (!tokens)
            return tokens;
        return m_pipeline.postProcessor().apply(std::move(*tokens), m_vocab);
    }
    const auto bos = m_pipeline.bos();
    return encodeWithBos(text, addBos, bos, bos ? m_vocab.token(*bos) : std::string(),
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
    return TokenizerJsonPipeline::decodePiece(token, m_byteFallback);
}

} // namespace attn
