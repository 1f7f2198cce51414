// libFuzzer harness: the BPE tokenizers, GPT-2's (vocab.json + merges.txt) and tokenizer.json's,
// from fuzzed files, encoding fuzzed text. Input layout:
//   byte 0     bit 0: 0 = GPT-2 files, 1 = tokenizer.json
//   bytes 1-2  text length n, little-endian (clamped to what is there); then n bytes of text
//   GPT-2:          u16 length m of vocab.json, m bytes of vocab.json, the rest merges.txt
//   tokenizer.json: the rest is tokenizer.json
// Invariants: load errors name the file; invalid UTF-8 text is refused with its message; every id
// is inside the vocabulary and labelled with its token; with BOS, the BOS id comes first; GPT-2
// with all 256 byte tokens decodes back to exactly the text (byte-level BPE is lossless).
#include "FuzzCommon.h"

#include "ByteLevelAlphabet.h"
#include "ByteLevelBpeTokenizer.h"
#include "TokenizerJsonBpe.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

void checkEncoding(const attn::HfTokenizer& t, const std::string& text, bool& textOk)
{
    textOk = false;
    const auto out = t.encode(text);
    if (!out) {
        FUZZ_CHECK(!out.error().empty());
        return;
    }
    textOk = true;
    FUZZ_CHECK(out->labels.size() == out->ids.size());
    for (size_t i = 0; i < out->ids.size(); ++i) {
        FUZZ_CHECK(out->ids[i] >= 0 && out->ids[i] < t.vocabSize());
        (void)t.decode(out->ids[i]);
    }
    const auto model = t.encodeForModel(text, true);
    if (model) {
        FUZZ_CHECK(t.bosId() && model->ids.front() == *t.bosId());
        FUZZ_CHECK(model->ids.size() == out->ids.size() + 1);
    }
    (void)t.decode(-1);
    (void)t.decode(t.vocabSize());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput || size < 3)
        return -1;
    const bool json = (data[0] & 1) != 0;
    const size_t n = std::min<size_t>(data[1] | (data[2] << 8), size - 3);
    const std::string text = attn::fuzz::asString(data + 3, n);
    const uint8_t* rest = data + 3 + n;
    size_t restSize = size - 3 - n;
    const attn::HfTokenizerConfig config;

    if (json) {
        auto j = attn::TokenizerFiles::parseJson(attn::fuzz::asString(rest, restSize), "tokenizer.json");
        if (!j) {
            // Not JSON, or past a size/depth limit ("tokenizer.json has ..., more than a tokenizer file needs").
            FUZZ_CHECK(j.error().rfind("tokenizer.json ", 0) == 0);
            return 0;
        }
        auto tok = attn::TokenizerJsonBpe::fromJson(*j, config, "tokenizer.json");
        if (!tok) {
            FUZZ_CHECK(tok.error().rfind("tokenizer.json", 0) == 0);
            return 0;
        }
        bool textOk = false;
        checkEncoding(**tok, text, textOk);
        return 0;
    }

    if (restSize < 2)
        return -1;
    const size_t m = std::min<size_t>(rest[0] | (rest[1] << 8), restSize - 2);
    const std::string vocab = attn::fuzz::asString(rest + 2, m);
    const std::string merges = attn::fuzz::asString(rest + 2 + m, restSize - 2 - m);
    auto tok = attn::ByteLevelBpeTokenizer::fromBytes(vocab, merges, config, "vocab.json", "merges.txt");
    if (!tok) {
        FUZZ_CHECK(tok.error().rfind("vocab.json", 0) == 0 || tok.error().rfind("merges.txt", 0) == 0);
        return 0;
    }
    const auto& t = **tok;
    bool textOk = false;
    checkEncoding(t, text, textOk);
    if (!textOk)
        return 0;
    bool allBytes = true;
    for (int b = 0; b < 256 && allBytes; ++b)
        allBytes = t.tokenId(attn::Utf8::encode(
                                 attn::ByteLevelAlphabet::instance().toChar(static_cast<uint8_t>(b))))
                       .has_value();
    if (allBytes) {
        const auto encoded = t.encode(text);
        std::string decoded;
        for (const int id : encoded->ids)
            decoded += t.decode(id);
        FUZZ_CHECK(decoded == text);
    }
    return 0;
}
