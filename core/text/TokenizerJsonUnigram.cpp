#include "TokenizerJsonUnigram.h"

#include "TokenizerJsonFields.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

namespace attn {

namespace {

// The length of the UTF-8 character that starts with `lead` (the text is valid UTF-8).
size_t unigramCharBytes(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

} // namespace

Expected<std::unique_ptr<TokenizerJsonUnigram>> TokenizerJsonUnigram::fromJson(
    const nlohmann::json& root, const HfTokenizerConfig& config, const std::string& name)
{
    if (!root.is_object())
        return makeError(name + " must hold a JSON object");
    const auto modelIt = root.find("model");
    if (modelIt == root.end() || !modelIt->is_object() || TokenizerFiles::typeName(*modelIt) != "Unigram")
        return makeError(name + " has no \"model\" object of type Unigram");
    const nlohmann::json& model = *modelIt;
    const std::string where = name + ": model";

    auto tok = std::make_unique<TokenizerJsonUnigram>();
    const auto vocabIt = model.find("vocab");
    if (vocabIt == model.end() || !vocabIt->is_array())
        return makeError(where + ": \"vocab\" must be an array of [piece, score] pairs");
    if (vocabIt->empty())
        return makeError(where + ": \"vocab\" is empty");
    if (vocabIt->size() > TokenizerFiles::kMaxVocabEntries)
        return makeError(where + ": \"vocab\" has " + std::to_string(vocabIt->size()) + " pieces, more than the "
            + std::to_string(TokenizerFiles::kMaxVocabEntries) + " a vocabulary may hold");
    tok->m_scores.reserve(vocabIt->size());
    tok->m_minScore = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < vocabIt->size(); ++i) {
        const auto& entry = (*vocabIt)[i];
        const std::string at = where + ": vocab entry " + std::to_string(i);
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
            return makeError(at + " must be a [piece, score] pair (a string and a number)");
        const std::string piece = entry[0].get<std::string>();
        if (auto s = TokenizerFiles::checkUtf8(piece, at); !s)
            return s.takeError();
        const double score = entry[1].get<double>();
        if (!std::isfinite(score))
            return makeError(at + " (" + TokenizerFiles::quoted(piece) + ") has a score that is not a finite number");
        if (auto s = tok->m_vocab.add(piece, static_cast<int64_t>(i), where); !s)
            return s.takeError();
        tok->m_scores.push_back(score);
        tok->m_minScore = std::min(tok->m_minScore, score);
        if (!piece.empty()) { // an empty piece never matches (tokenizers' trie), but keeps its id
            tok->m_pieces[piece] = static_cast<int>(i);
            tok->addToTrie(piece, static_cast<int>(i));
        }
    }
    const int pieces = static_cast<int>(vocabIt->size());
    if (const auto it = model.find("unk_id"); it != model.end() && !it->is_null()) {
        if (!it->is_number_integer())
            return makeError(where + ": \"unk_id\" must be an integer or null");
        const int64_t unk = it->get<int64_t>();
        if (unk < 0 || unk >= pieces)
            return makeError(where + ": \"unk_id\" " + std::to_string(unk) + " is outside the vocabulary (0.."
                + std::to_string(pieces - 1) + ")");
        tok->m_unk = static_cast<int>(unk);
    }
    auto fallback = TokenizerJsonFields::boolean(model, "byte_fallback", where, false);
    if (!fallback)
        return fallback.takeError();
    tok->m_byteFallback = *fallback;
    for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        const auto it = tok->m_pieces.find(buf);
        tok->m_byteIds[static_cast<size_t>(b)] = it == tok->m_pieces.end() ? -1 : it->second;
    }

    auto added = TokenizerJsonPipeline::readAddedTokens(root, tok->m_vocab, name);
    if (!added)
        return added.takeError();
    if (auto s = tok->m_vocab.finish(where); !s)
        return s.takeError();
    auto pipeline = TokenizerJsonPipeline::read(root, config, tok->m_vocab, *added, name);
    if (!pipeline)
        return pipeline.takeError();
    tok->m_pipeline = std::move(*pipeline);
    return tok;
}

void TokenizerJsonUnigram::addToTrie(const std::string& piece, int id)
{
    uint32_t node = 0;
    for (const char c : piece) {
        const auto [it, added] = m_trie.try_emplace(edge(node, static_cast<unsigned char>(c)), uint32_t(m_trieIds.size()));
        if (added)
            m_trieIds.push_back(-1);
        node = it->second;
    }
    m_trieIds[node] = id; // a piece listed again: its later id, as m_pieces
}

Expected<std::vector<std::string>> TokenizerJsonUnigram::segment(const std::string& word) const
{
    // tokenizers' Unigram::encode_optimized, over byte positions.
    struct Node {
        int id = -1;
        double score = 0;
        long start = -1; // -1: no path ends here yet
    };
    const size_t size = word.size();
    std::vector<Node> best(size + 1);
    best[0].start = 0;
    const double unk = unkScore();
    for (size_t start = 0; start < size;) {
        const size_t charLen = unigramCharBytes(static_cast<unsigned char>(word[start]));
        const double here = best[start].score;
        bool singleChar = false;
        uint32_t node = 0;
        for (size_t end = start; end < size;) {
            const auto next = m_trie.find(edge(node, static_cast<unsigned char>(word[end])));
            if (next == m_trie.end())
                break;
            node = next->second;
            ++end;
            const int id = m_trieIds[node];
            if (id < 0)
                continue;
            const double candidate = m_scores[static_cast<size_t>(id)] + here;
            Node& target = best[end];
            if (target.start < 0 || candidate > target.score)
                target = Node { id, candidate, static_cast<long>(start) };
            if (end - start == charLen)
                singleChar = true;
        }
        if (!singleChar) {
            if (!m_unk)
                return makeError("the Unigram model has no unk_id, and no piece covers the character "
                    + TokenizerFiles::quoted(word.substr(start, charLen)));
            const double candidate = unk + here;
            Node& target = best[start + charLen];
            if (target.start < 0 || candidate > target.score)
                target = Node { *m_unk, candidate, static_cast<long>(start) };
        }
        start += charLen;
    }
    // Back from the end; unknowns next to each other become one piece.
    std::vector<std::string> pieces;
    std::vector<std::string> run; // the fused unknowns, last first
    auto flush = [&] {
        if (run.empty())
            return;
        std::string joined;
        for (auto it = run.rbegin(); it != run.rend(); ++it)
            joined += *it;
        pieces.push_back(std::move(joined));
        run.clear();
    };
    for (size_t end = size; end > 0;) {
        const Node& node = best[end];
        const auto start = static_cast<size_t>(node.start);
        if (m_unk && node.id == *m_unk)
            run.push_back(word.substr(start, end - start));
        else {
            flush();
            pieces.push_back(word.substr(start, end - start));
        }
        end = start;
    }
    flush();
    return std::vector<std::string>(pieces.rbegin(), pieces.rend());
}

Status TokenizerJsonUnigram::tokenizeWord(const std::u32string& word, std::vector<int>& ids) const
{
    auto pieces = segment(TokenizerFiles::toUtf8(word));
    if (!pieces)
        return pieces.takeError();
    // tokenizers' Unigram::tokenize: each piece's id; a piece that is none (a fused run of
    // unknowns) as its bytes when byte_fallback covers all of them, else unk_id.
    for (const auto& piece : *pieces) {
        if (const auto it = m_pieces.find(piece); it != m_pieces.end()) {
            ids.push_back(it->second);
            continue;
        }
        if (m_byteFallback) {
            bool all = true;
            for (const char b : piece)
                all = all && m_byteIds[static_cast<unsigned char>(b)] >= 0;
            if (all) {
                for (const char b : piece)
                    ids.push_back(m_byteIds[static_cast<unsigned char>(b)]);
                continue;
            }
        }
        ids.push_back(*m_unk); // segment() only makes a piece outside the vocabulary from unknowns
    }
    return success();
}

Expected<TokenizedText> TokenizerJsonUnigram::encode(const std::string& text) const
{
    auto ids = m_pipeline.encode(
        text, [this](const std::u32string& word, std::vector<int>& out) { return tokenizeWord(word, out); });
    if (!ids)
        return ids.takeError();
    return TokenizerJsonPipeline::labelled(std::move(*ids), m_vocab);
}

Expected<TokenizedText> TokenizerJsonUnigram::encodeForModel(const std::string& text, bool addBos) const
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
        "tokenizer_config.json, no <s> and no post_processor)");
}

std::string TokenizerJsonUnigram::decode(int id) const
{
    if (!m_vocab.has(id))
        return {};
    return TokenizerJsonPipeline::decodePiece(m_vocab.token(id), m_byteFallback);
}

} // namespace attn
