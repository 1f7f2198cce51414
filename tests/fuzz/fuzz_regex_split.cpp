// libFuzzer harness: RegexSplitter (PCRE2) as the pre-tokenizers use it. Input: byte 0 chooses the
// pattern (0: Qwen2's, 1: Llama 3's, 2: GPT-2's, otherwise the input up to its first NUL is the
// pattern and the rest the text). Invariants: a pattern that does not compile, text that is not
// UTF-8 and a match that exceeds PCRE2's limits each give a non-empty message; otherwise the pieces
// are non-empty, in order, and cover the text exactly.
#include "FuzzCommon.h"

#include "RegexSplitter.h"

#include <cstring>

namespace {

const char* const kPatterns[] = {
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1 || size > (1u << 16))
        return -1;
    std::string pattern;
    std::string text;
    if (data[0] < 3) {
        pattern = kPatterns[data[0]];
        text = attn::fuzz::asString(data + 1, size - 1);
    } else {
        const auto* nul = static_cast<const uint8_t*>(std::memchr(data + 1, 0, size - 1));
        if (!nul)
            return 0;
        pattern = attn::fuzz::asString(data + 1, static_cast<size_t>(nul - data - 1));
        text = attn::fuzz::asString(nul + 1, size - static_cast<size_t>(nul - data) - 1);
    }
    auto splitter = attn::RegexSplitter::compile(pattern);
    if (!splitter) {
        FUZZ_CHECK(!splitter.error().empty());
        return 0;
    }
    auto pieces = (*splitter)->split(text);
    if (!pieces) {
        FUZZ_CHECK(!pieces.error().empty());
        return 0;
    }
    size_t at = 0;
    for (const auto& [begin, end] : *pieces) {
        FUZZ_CHECK(begin == at);
        FUZZ_CHECK(end > begin);
        at = end;
    }
    FUZZ_CHECK(at == text.size());
    return 0;
}
