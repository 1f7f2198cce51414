#pragma once
// Reading and validating the files of a Hugging Face tokenizer before anything trusts them:
//   size caps      vocabulary files (vocab.txt, vocab.json, merges.txt, tokenizer.json) at most
//                  kMaxVocabFileBytes; config files (tokenizer_config.json, special_tokens_map.json)
//                  at most kMaxConfigBytes (the largest real ones: Gemma's tokenizer.json 34 MB,
//                  Llama 3's tokenizer_config.json 50 KB)
//   ids            0 <= id < kMaxVocabSize (2^24), no id used twice, and dense enough that the
//                  id -> token table (max id + 1 entries) is at most about twice the entries read
//   text           prompts must be valid UTF-8 (the error names the first bad byte and its offset)
// Also the vocabulary table shared by the tokenizers: token string <-> id.
#include "Expected.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn {

class Vocabulary {
public:
    // Adds token -> id; an error when the id is out of range or already taken by another token.
    // A token seen again with another id keeps the later id for lookups (as HF's vocab dicts do).
    Status add(const std::string& token, int64_t id, const std::string& where);
    // Checks density and builds the id -> token table; call once after the last add().
    Status finish(const std::string& where);

    int size() const { return static_cast<int>(m_tokens.size()); } // max id + 1
    int entries() const { return static_cast<int>(m_ids.size()); }
    std::optional<int> id(const std::string& token) const;
    const std::string& token(int id) const; // "" for an id inside the range that no token uses
    bool has(int id) const { return id >= 0 && id < size() && m_used[static_cast<size_t>(id)]; }

private:
    std::unordered_map<std::string, int> m_ids;
    std::vector<std::pair<int, std::string>> m_pending;
    std::vector<std::string> m_tokens;
    std::vector<bool> m_used;
};

class TokenizerFiles {
public:
    static constexpr uint64_t kMaxVocabFileBytes = 64ull << 20;
    static constexpr uint64_t kMaxConfigBytes = 4ull << 20;
    static constexpr int64_t kMaxVocabSize = int64_t(1) << 24;
    // Entries one vocabulary may hold (the largest real ones have ~260 000): bounds the id table.
    static constexpr size_t kMaxVocabEntries = size_t(1) << 21;
    // JSON limits checked while parsing, before the document is built: values (a 34 MB Gemma
    // tokenizer.json has ~1.3 million) and nesting depth.
    static constexpr size_t kMaxJsonValues = size_t(1) << 22;
    static constexpr int kMaxJsonDepth = 64;

    // The whole file, at most maxBytes (FileBytes' messages for missing/huge files).
    static Expected<std::string> read(const std::string& path, uint64_t maxBytes);
    // Parses JSON; the error names the file and the parser's position, or the limit exceeded.
    static Expected<nlohmann::json> parseJson(const std::string& bytes, const std::string& name);
    static Expected<nlohmann::json> readJson(const std::string& path, uint64_t maxBytes);
    // The string "type" of a JSON object, "" when it is not an object or has no string "type".
    static std::string typeName(const nlohmann::json& j);
    // "the text is not valid UTF-8: byte 0xFF at offset 3" or success.
    static Status checkUtf8(const std::string& text, const std::string& what = "the text");
    // Code points of valid UTF-8 (checkUtf8 first) and back.
    static std::u32string toU32(const std::string& utf8);
    static std::string toUtf8(const std::u32string& text);
    static std::string toUtf8(const std::u32string& text, size_t begin, size_t end);
    // A token for messages: quoted, control characters escaped, cut after 40 bytes.
    static std::string quoted(const std::string& token);
};

} // namespace attn
