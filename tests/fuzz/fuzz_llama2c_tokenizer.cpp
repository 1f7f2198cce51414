// libFuzzer harness: Llama2cTokenizer::fromBytes + encode/decode/label.
// Input layout (so the fuzzer controls all three parts):
//   bytes 0-1  vocabulary size, little-endian: vocab = 1 + (value % 1024)
//   byte  2    text length n
//   n bytes    the text to encode (stops at a NUL, as run.c does)
//   the rest   the tokenizer file image (int32 max_token_length, then per token: float32 score,
//              int32 length, bytes)
#include "FuzzCommon.h"

#include "Llama2cTokenizer.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput || size < 3)
        return -1;
    const int vocab = 1 + (data[0] | (data[1] << 8)) % 1024;
    const size_t textLength = std::min<size_t>(data[2], size - 3);
    const std::string text = attn::fuzz::asString(data + 3, textLength);
    const std::string file = attn::fuzz::asString(data + 3 + textLength, size - 3 - textLength);

    const auto tok = attn::Llama2cTokenizer::fromBytes(file, vocab, "tok.bin");
    if (!tok) {
        FUZZ_CHECK(tok.error().rfind("tok.bin", 0) == 0); // messages start with the file's name
        return 0;
    }
    FUZZ_CHECK(tok->vocabSize() == vocab);
    FUZZ_CHECK(tok->maxTokenLength() >= 1 && tok->maxTokenLength() <= attn::Llama2cTokenizer::kMaxTokenLength);
    for (int id = 0; id < tok->vocabSize(); ++id) {
        FUZZ_CHECK(static_cast<int>(tok->piece(id).size()) <= tok->maxTokenLength());
        const int found = tok->lookup(tok->piece(id));
        FUZZ_CHECK(found >= 0 && found <= id && tok->piece(found) == tok->piece(id)); // first of duplicates
        (void)tok->label(id);
        (void)tok->decode(attn::Llama2cTokenizer::kBos, id);
    }
    (void)tok->label(-1);
    (void)tok->label(vocab);
    (void)tok->decode(0, vocab);

    for (const bool bos : {true, false}) {
        const auto ids = tok->encode(text, bos, /*eos=*/bos);
        if (!ids) {
            FUZZ_CHECK(!ids.error().empty());
            continue;
        }
        // BOS comes first, but (as in run.c) it takes part in the merges, so a hostile vocabulary
        // can merge it with the next token: only check that it is there in some form.
        if (bos)
            FUZZ_CHECK(!ids->empty());
        int prev = bos ? attn::Llama2cTokenizer::kBos : 0;
        for (size_t i = bos ? 1 : 0; i < ids->size(); ++i) {
            const int id = (*ids)[i];
            if (!(bos && i + 1 == ids->size())) // all but BOS/EOS are vocabulary ids
                FUZZ_CHECK(id >= 0 && id < tok->vocabSize());
            (void)tok->decode(prev, id);
            prev = id;
        }
    }
    return 0;
}
