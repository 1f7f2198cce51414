#pragma once
// The optional settings files of a Hugging Face tokenizer folder:
//   tokenizer_config.json     do_lower_case, strip_accents, tokenize_chinese_chars, and the special
//                             tokens (bos_token, eos_token, unk_token, cls_token, sep_token, pad_token,
//                             mask_token) as strings or as {"content": "..."} objects
//   special_tokens_map.json   the same special-token fields; tokenizer_config.json wins where both
//                             name one
// Both are optional; a file that is present but malformed (not JSON, not an object, a field of the
// wrong type) is an error naming the file and the field.
#include "Expected.h"

#include <optional>
#include <string>

namespace attn {

struct HfTokenizerConfig {
    std::optional<bool> doLowerCase;
    std::optional<bool> stripAccents; // null in the file = follow doLowerCase
    bool tokenizeChineseChars = true;
    std::optional<std::string> bos, eos, unk, cls, sep, pad, mask;

    static Expected<HfTokenizerConfig> readFolder(const std::string& folder);
};

} // namespace attn
