#include "TokenizerJsonPipeline.h"

#include "TokenizerJsonFields.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

namespace attn {

Expected<TokenizerJsonPipeline::AddedTokens> TokenizerJsonPipeline::readAddedTokens(
    const nlohmann::json& root, Vocabulary& vocab, const std::string& name)
{
    AddedTokens added;
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
        return added;
    if (!it->is_array())
        return makeError(name + ": \"added_tokens\" must be an array");
    for (const auto& entry : *it) {
        if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_integer())
            return makeError(name + ": every added token needs an integer \"id\"");
        auto content = TokenizerJsonFields::string(entry, "content", name + ": added token", true);
        if (!content)
            return content.takeError();
        if ((*content)->empty())
            return makeError(name + ": an added token has empty \"content\"");
        if (auto s = vocab.add(**content, entry["id"].get<int64_t>(), name + ": added_tokens"); !s)
            return s.takeError();
        added.emplace_back(**content, static_cast<int>(entry["id"].get<int64_t>()));
    }
    return added;
}

Expected<TokenizerJsonPipeline> TokenizerJsonPipeline::read(const nlohmann::json& root,
    const HfTokenizerConfig& config, const Vocabulary& vocab, const AddedTokens& added, const std::string& name)
{
    TokenizerJsonPipeline p;
    for (const auto& [content, id] : added)
        p.m_added.add(content, id);
    auto normalizer = TokenizerNormalizer::fromJson(root.value("normalizer", nlohmann::json()), name + ": normalizer");
    if (!normalizer)
        return normalizer.takeError();
    p.m_normalizer = std::move(*normalizer);
    auto pre = TokenizerPreTokenizer::fromJson(root.value("pre_tokenizer", nlohmann::json()), name + ": pre_tokenizer");
    if (!pre)
        return pre.takeError();
    p.m_preTokenizer = std::move(*pre);
    auto post = TokenizerPostProcessor::fromJson(
        root.value("post_processor", nlohmann::json()), vocab, name + ": post_processor");
    if (!post)
        return post.takeError();
    p.m_post = std::move(*post);

    auto firstKnown = [&](std::initializer_list<std::string> names) -> std::optional<int> {
        for (const auto& n : names)
            if (const auto id = vocab.id(n))
                return id;
        return std::nullopt;
    };
    p.m_bos = config.bos ? vocab.id(*config.bos) : firstKnown({ "<s>", "<|begin_of_text|>", "<|endoftext|>" });
    p.m_eos = config.eos ? vocab.id(*config.eos) : firstKnown({ "</s>", "<|end_of_text|>", "<|endoftext|>" });
    for (const auto& special : { config.bos, config.eos, config.unk, config.pad })
        if (special)
            if (const auto id = vocab.id(*special))
                p.m_added.add(*special, *id);
    return p;
}

Expected<std::vector<int>> TokenizerJsonPipeline::encode(const std::string& text, const WordModel& model) const
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
        auto normalized = m_normalizer.apply(TokenizerFiles::toU32(piece.text));
        if (!normalized)
            return normalized.takeError();
        auto words = m_preTokenizer.split(std::move(*normalized), atStart);
        if (!words)
            return words.takeError();
        for (const auto& word : *words)
            if (auto s = model(word, ids); !s)
                return s.takeError();
        atStart = false;
    }
    return ids;
}

TokenizedText TokenizerJsonPipeline::labelled(std::vector<int> ids, const Vocabulary& vocab)
{
    TokenizedText out;
    out.labels.reserve(ids.size());
    for (const int id : ids)
        out.labels.push_back(vocab.token(id));
    out.ids = std::move(ids);
    return out;
}

std::string TokenizerJsonPipeline::decodePiece(const std::string& token, bool byteFallback)
{
    // Only the spelling tokenizers writes (format!("<0x{:02X}>")): upper-case hex.
    static const std::string kHex = "0123456789ABCDEF";
    if (byteFallback && token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>'
        && kHex.find(token[3]) != std::string::npos && kHex.find(token[4]) != std::string::npos)
        return std::string(1, static_cast<char>(kHex.find(token[3]) * 16 + kHex.find(token[4])));
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
