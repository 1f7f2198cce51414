#pragma once
// Reading the fields of a tokenizer.json object with a message naming the field when it has the
// wrong type: shared by the normalizer, pre-tokenizer, post-processor and model readers.
#include "Expected.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace attn {

class TokenizerJsonFields {
public:
    // A string field, checked to be UTF-8; an error when present with another type, or missing
    // (or null) and required.
    static Expected<std::optional<std::string>> string(
        const nlohmann::json& j, const char* key, const std::string& where, bool required);
    // A boolean field; `fallback` when missing or null.
    static Expected<bool> boolean(const nlohmann::json& j, const char* key, const std::string& where, bool fallback);
    // "(none)" for an empty type name, for messages.
    static std::string shown(const std::string& type) { return type.empty() ? std::string("(none)") : type; }
};

} // namespace attn
