#include "TokenizerPostProcessor.h"

#include "TokenizerJsonFields.h"

#include <nlohmann/json.hpp>

namespace attn {

Expected<TokenizerPostProcessor> TokenizerPostProcessor::fromJson(
    const nlohmann::json& j, const Vocabulary& vocab, const std::string& where)
{
    TokenizerPostProcessor p;
    if (auto s = p.read(j, vocab, where, 0); !s)
        return s.takeError();
    return p;
}

namespace {

// A [token, id] pair of RobertaProcessing / BertProcessing.
Expected<int> tokenPair(const nlohmann::json& j, const char* key, const Vocabulary& vocab, const std::string& where)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_string() || !(*it)[1].is_number_integer())
        return makeError(where + ": \"" + key + "\" must be a [token, id] pair");
    const int64_t id = (*it)[1].get<int64_t>();
    if (id < 0 || id > INT32_MAX || !vocab.has(static_cast<int>(id)))
        return makeError(where + ": \"" + key + "\" has id " + std::to_string(id) + ", which is not in the vocabulary");
    return static_cast<int>(id);
}

} // namespace

Status TokenizerPostProcessor::read(
    const nlohmann::json& j, const Vocabulary& vocab, const std::string& where, int depth)
{
    if (j.is_null())
        return success();
    if (depth > kMaxNesting)
        return makeError(where + ": more than " + std::to_string(kMaxNesting) + " nested Sequences");
    const std::string type = TokenizerFiles::typeName(j);
    std::vector<int> before, after;
    if (type == "Sequence") {
        if (!j.contains("processors") || !j["processors"].is_array())
            return makeError(where + ": a Sequence post-processor needs a \"processors\" array");
        for (const auto& step : j["processors"])
            if (auto s = read(step, vocab, where, depth + 1); !s)
                return s;
        return success();
    }
    if (type == "ByteLevel")
        return success();
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        auto cls = tokenPair(j, "cls", vocab, where + ": " + type);
        if (!cls)
            return cls.takeError();
        auto sep = tokenPair(j, "sep", vocab, where + ": " + type);
        if (!sep)
            return sep.takeError();
        before.push_back(*cls);
        after.push_back(*sep);
    } else if (type == "TemplateProcessing") {
        if (auto s = readTemplate(j, vocab, where + ": TemplateProcessing", before, after); !s)
            return s;
    } else {
        return makeError(where + ": post-processor type '" + TokenizerJsonFields::shown(type)
            + "' is not supported (supported: TemplateProcessing, RobertaProcessing, BertProcessing, ByteLevel, "
              "Sequence)");
    }
    // A later processor wraps what the earlier ones made.
    m_decides = true;
    m_before.insert(m_before.begin(), before.begin(), before.end());
    m_after.insert(m_after.end(), after.begin(), after.end());
    return success();
}

Status TokenizerPostProcessor::readTemplate(const nlohmann::json& j, const Vocabulary& vocab,
    const std::string& where, std::vector<int>& before, std::vector<int>& after)
{
    // The pieces as (isSequence, name): from the array form or the string form.
    std::vector<std::pair<bool, std::string>> pieces;
    const auto single = j.find("single");
    if (single == j.end())
        return makeError(where + ": missing \"single\"");
    if (single->is_string()) {
        const std::string s = single->get<std::string>();
        for (size_t start = 0; start < s.size();) {
            size_t end = s.find(' ', start);
            if (end == std::string::npos)
                end = s.size();
            std::string word = s.substr(start, end - start);
            start = end + 1;
            if (word.empty())
                continue;
            if (word[0] == '$') {
                const std::string seq = word.substr(1, word.find(':') == std::string::npos ? std::string::npos : word.find(':') - 1);
                pieces.emplace_back(true, seq.empty() ? std::string("A") : seq);
            } else {
                pieces.emplace_back(false, word.substr(0, word.find(':')));
            }
        }
    } else if (single->is_array()) {
        for (const auto& piece : *single) {
            if (piece.is_object() && piece.size() == 1 && piece.contains("Sequence") && piece["Sequence"].is_object()
                && piece["Sequence"].contains("id") && piece["Sequence"]["id"].is_string())
                pieces.emplace_back(true, piece["Sequence"]["id"].get<std::string>());
            else if (piece.is_object() && piece.size() == 1 && piece.contains("SpecialToken")
                && piece["SpecialToken"].is_object() && piece["SpecialToken"].contains("id")
                && piece["SpecialToken"]["id"].is_string())
                pieces.emplace_back(false, piece["SpecialToken"]["id"].get<std::string>());
            else
                return makeError(where + ": every piece of \"single\" must be {\"Sequence\": {\"id\": ...}} or "
                                         "{\"SpecialToken\": {\"id\": ...}}");
        }
    } else {
        return makeError(where + ": \"single\" must be an array of pieces or a string");
    }
    if (pieces.size() > kMaxTemplatePieces)
        return makeError(where + ": \"single\" has more than " + std::to_string(kMaxTemplatePieces) + " pieces");
    int sequences = 0;
    for (const auto& [isSequence, name] : pieces) {
        if (isSequence) {
            if (name != "A")
                return makeError(where + ": the \"single\" template may only use the sequence $A, not $" + name);
            ++sequences;
            continue;
        }
        const auto specials = j.find("special_tokens");
        if (specials == j.end() || !specials->is_object() || !specials->contains(name))
            return makeError(where + ": the template's special token " + TokenizerFiles::quoted(name)
                + " is not in \"special_tokens\"");
        const auto& entry = (*specials)[name];
        if (!entry.is_object() || !entry.contains("ids") || !entry["ids"].is_array())
            return makeError(where + ": special token " + TokenizerFiles::quoted(name) + " needs an \"ids\" array");
        for (const auto& id : entry["ids"]) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX
                || !vocab.has(static_cast<int>(id.get<int64_t>())))
                return makeError(where + ": special token " + TokenizerFiles::quoted(name) + " has id "
                    + id.dump() + ", which is not in the vocabulary");
            (sequences == 0 ? before : after).push_back(static_cast<int>(id.get<int64_t>()));
        }
    }
    if (sequences != 1)
        return makeError(where + ": the \"single\" template must hold $A exactly once");
    return success();
}

TokenizedText TokenizerPostProcessor::apply(TokenizedText tokens, const Vocabulary& vocab) const
{
    TokenizedText out;
    out.ids = m_before;
    out.ids.insert(out.ids.end(), tokens.ids.begin(), tokens.ids.end());
    out.ids.insert(out.ids.end(), m_after.begin(), m_after.end());
    for (const int id : m_before)
        out.labels.push_back(vocab.token(id));
    for (auto& label : tokens.labels)
        out.labels.push_back(std::move(label));
    for (const int id : m_after)
        out.labels.push_back(vocab.token(id));
    return out;
}

} // namespace attn
