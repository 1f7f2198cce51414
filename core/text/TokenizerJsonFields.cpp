#include "TokenizerJsonFields.h"

#include "TokenizerFiles.h"

#include <nlohmann/json.hpp>

namespace attn {

Expected<std::optional<std::string>> TokenizerJsonFields::string(
    const nlohmann::json& j, const char* key, const std::string& where, bool required)
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

Expected<bool> TokenizerJsonFields::boolean(
    const nlohmann::json& j, const char* key, const std::string& where, bool fallback)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        return makeError(where + ": \"" + key + "\" must be true or false");
    return it->get<bool>();
}

} // namespace attn
