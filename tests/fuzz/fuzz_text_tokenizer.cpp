// libFuzzer harness: TextTokenizer::tokenize (Word and Character) on arbitrary bytes.
// No token is empty, tokens hold no more bytes than the text, and (invalid bytes being dropped)
// no token carries invalid UTF-8.
#include "FuzzCommon.h"

#include "TextTokenizer.h"
#include "Utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const std::string text = attn::fuzz::asString(data, size);
    for (const auto kind : {attn::TokenizerKind::Word, attn::TokenizerKind::Character}) {
        const auto tokens = attn::TextTokenizer::tokenize(text, kind);
        size_t bytes = 0;
        for (const auto& token : tokens) {
            FUZZ_CHECK(!token.empty());
            bytes += token.size();
            for (const auto& cp : attn::Utf8::decode(token))
                FUZZ_CHECK(!(cp.value == 0xFFFD && cp.length == 1));
            (void)attn::TextTokenizer::isPadding(token);
        }
        FUZZ_CHECK(bytes <= text.size());
        (void)attn::toString(kind);
    }
    return 0;
}
