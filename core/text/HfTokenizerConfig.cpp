#include "HfTokenizerConfig.h"

#include "TokenizerFiles.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace attn {

namespace {

namespace fs = std::filesystem;

// A special token is "text" or {"content": "text", ...} (AddedToken) or null.
Status readToken(
    const nlohmann::json& j, const char* key, const std::string& name, std::optional<std::string>& out)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return success();
    if (it->is_string()) {
        out = it->get<std::string>();
    } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
        out = (*it)["content"].get<std::string>();
    } else {
        return makeError(name + ": \"" + key + "\" must be a string or an object with a string \"content\"");
    }
    if (out->empty())
        return makeError(name + ": \"" + key + "\" is empty");
    return TokenizerFiles::checkUtf8(*out, name + ": \"" + key + "\"");
}

Status readBool(const nlohmann::json& j, const char* key, const std::string& name, std::optional<bool>& out)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return success();
    if (!it->is_boolean())
        return makeError(name + ": \"" + key + "\" must be true, false or null");
    out = it->get<bool>();
    return success();
}

Status readTokens(const nlohmann::json& j, const std::string& name, HfTokenizerConfig& c)
{
    for (const auto& [key, field] : { std::pair { "bos_token", &c.bos }, { "eos_token", &c.eos },
             { "unk_token", &c.unk }, { "cls_token", &c.cls }, { "sep_token", &c.sep },
             { "pad_token", &c.pad }, { "mask_token", &c.mask } }) {
        if (auto s = readToken(j, key, name, *field); !s)
            return s;
    }
    return success();
}

Expected<nlohmann::json> readObject(const fs::path& path)
{
    auto j = TokenizerFiles::readJson(path.string(), TokenizerFiles::kMaxConfigBytes);
    if (!j)
        return j;
    if (!j->is_object())
        return makeError("'" + path.string() + "' must hold a JSON object");
    return j;
}

} // namespace

Expected<HfTokenizerConfig> HfTokenizerConfig::readFolder(const std::string& folder)
{
    HfTokenizerConfig c;
    std::error_code ec;
    const fs::path map = fs::path(folder) / "special_tokens_map.json";
    if (fs::exists(map, ec)) {
        auto j = readObject(map);
        if (!j)
            return j.takeError();
        if (auto s = readTokens(*j, "'" + map.string() + "'", c); !s)
            return s.takeError();
    }
    const fs::path config = fs::path(folder) / "tokenizer_config.json";
    if (fs::exists(config, ec)) {
        auto j = readObject(config);
        if (!j)
            return j.takeError();
        const std::string name = "'" + config.string() + "'";
        if (auto s = readTokens(*j, name, c); !s)
            return s.takeError();
        if (auto s = readBool(*j, "do_lower_case", name, c.doLowerCase); !s)
            return s.takeError();
        if (auto s = readBool(*j, "strip_accents", name, c.stripAccents); !s)
            return s.takeError();
        std::optional<bool> chinese;
        if (auto s = readBool(*j, "tokenize_chinese_chars", name, chinese); !s)
            return s.takeError();
        c.tokenizeChineseChars = chinese.value_or(true);
    }
    return c;
}

} // namespace attn
