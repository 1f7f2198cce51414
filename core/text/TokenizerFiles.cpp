#include "TokenizerFiles.h"

#include "FileBytes.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace attn {

Status Vocabulary::add(const std::string& token, int64_t id, const std::string& where)
{
    if (id < 0 || id >= TokenizerFiles::kMaxVocabSize)
        return makeError(where + ": token " + TokenizerFiles::quoted(token) + " has id " + std::to_string(id)
            + ", outside 0.." + std::to_string(TokenizerFiles::kMaxVocabSize - 1));
    if (m_pending.size() >= TokenizerFiles::kMaxVocabEntries)
        return makeError(
            where + " has more than " + std::to_string(TokenizerFiles::kMaxVocabEntries) + " tokens");
    m_ids[token] = static_cast<int>(id);
    m_pending.emplace_back(static_cast<int>(id), token);
    return success();
}

Status Vocabulary::finish(const std::string& where)
{
    if (m_pending.empty())
        return makeError(where + " has no tokens");
    int maxId = 0;
    for (const auto& [id, token] : m_pending)
        maxId = std::max(maxId, id);
    // Holes are allowed (some vocabularies skip ids) but not so many that a few hostile entries
    // with huge ids make us allocate a table far larger than the file.
    const size_t count = m_pending.size();
    if (static_cast<size_t>(maxId) + 1 > 2 * count + 256)
        return makeError(where + ": ids are too sparse (" + std::to_string(count) + " tokens but ids up to "
            + std::to_string(maxId) + ")");
    m_tokens.assign(static_cast<size_t>(maxId) + 1, std::string());
    m_used.assign(static_cast<size_t>(maxId) + 1, false);
    for (const auto& [id, token] : m_pending) {
        const auto i = static_cast<size_t>(id);
        if (m_used[i] && m_tokens[i] != token)
            return makeError(where + ": id " + std::to_string(id) + " is used by both "
                + TokenizerFiles::quoted(m_tokens[i]) + " and " + TokenizerFiles::quoted(token));
        m_used[i] = true;
        m_tokens[i] = token;
    }
    m_pending.clear();
    m_pending.shrink_to_fit();
    return success();
}

std::optional<int> Vocabulary::id(const std::string& token) const
{
    const auto it = m_ids.find(token);
    if (it == m_ids.end())
        return std::nullopt;
    return it->second;
}

const std::string& Vocabulary::token(int id) const
{
    static const std::string empty;
    if (id < 0 || id >= size())
        return empty;
    return m_tokens[static_cast<size_t>(id)];
}

Expected<std::string> TokenizerFiles::read(const std::string& path, uint64_t maxBytes)
{
    return FileBytes::read(path, maxBytes);
}

Expected<nlohmann::json> TokenizerFiles::parseJson(const std::string& bytes, const std::string& name)
{
    struct LimitExceeded {
        std::string what;
    };
    size_t values = 0;
    const nlohmann::json::parser_callback_t limits
        = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
              if (depth > kMaxJsonDepth)
                  throw LimitExceeded { "nests deeper than " + std::to_string(kMaxJsonDepth) + " levels" };
              if (event == nlohmann::json::parse_event_t::value && ++values > kMaxJsonValues)
                  throw LimitExceeded { "holds more than " + std::to_string(kMaxJsonValues) + " values" };
              return true;
          };
    try {
        return nlohmann::json::parse(bytes, limits);
    } catch (const nlohmann::json::exception& e) {
        return makeError(name + " is not valid JSON: " + e.what());
    } catch (const LimitExceeded& e) {
        return makeError(name + " " + e.what + ", more than a tokenizer file needs");
    }
}

Expected<nlohmann::json> TokenizerFiles::readJson(const std::string& path, uint64_t maxBytes)
{
    auto bytes = read(path, maxBytes);
    if (!bytes)
        return bytes.takeError();
    return parseJson(*bytes, "'" + path + "'");
}

std::string TokenizerFiles::typeName(const nlohmann::json& j)
{
    if (!j.is_object())
        return {};
    const auto it = j.find("type");
    return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

Status TokenizerFiles::checkUtf8(const std::string& text, const std::string& what)
{
    for (const auto& cp : Utf8::decode(text)) {
        if (cp.value == 0xFFFD && cp.length == 1) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned char>(text[cp.offset]));
            return makeError(
                what + " is not valid UTF-8: byte " + buf + " at offset " + std::to_string(cp.offset));
        }
    }
    return success();
}

std::u32string TokenizerFiles::toU32(const std::string& utf8)
{
    std::u32string out;
    out.reserve(utf8.size());
    for (const auto& cp : Utf8::decode(utf8))
        out += cp.value;
    return out;
}

std::string TokenizerFiles::toUtf8(const std::u32string& text)
{
    return toUtf8(text, 0, text.size());
}

std::string TokenizerFiles::toUtf8(const std::u32string& text, size_t begin, size_t end)
{
    std::string out;
    out.reserve(end - begin);
    for (size_t i = begin; i < end; ++i)
        out += Utf8::encode(text[i]);
    return out;
}

std::string TokenizerFiles::quoted(const std::string& token)
{
    std::string out = "'";
    size_t n = 0;
    for (const char c : token) {
        const auto u = static_cast<unsigned char>(c);
        // Cut after 40 bytes, but never inside a UTF-8 sequence (continuation bytes are 10xxxxxx).
        if (++n > 40 && (u & 0xC0) != 0x80) {
            out += "...";
            break;
        }
        if (u < 0x20 || u == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "'";
}

} // namespace attn
