// libFuzzer harness: WordPieceTokenizer (BERT) from a fuzzed vocab.txt and settings, or a fixed
// vocabulary, encoding fuzzed text. Input layout:
//   byte 0     flags: bit 0 do_lower_case, bit 1 strip_accents given, bit 2 its value,
//              bit 3 tokenize_chinese_chars, bit 7 use the fixed vocabulary (the rest is the text),
//              bit 6 (without bit 7) the vocabulary part is a tokenizer.json (WordPiece model)
//   bytes 1-2  text length n, little-endian (clamped to what is there)
//   n bytes    the text
//   the rest   vocab.txt
// Invariants: load errors name the file; invalid UTF-8 text is refused with its message; every id
// is inside the vocabulary and its label is the vocabulary token with that id; encodeForModel is
// [CLS] + encode + [SEP]; decode never reads outside the vocabulary.
#include "FuzzCommon.h"

#include "WordPieceTokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

const char* kFixedVocab
    = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n!\n,\n.\n?\na\nb\nc\ne\nh\ni\nl\nn\no\nr\ns\nt\nu\n"
      "##a\n##b\n##c\n##e\n##h\n##i\n##l\n##n\n##o\n##r\n##s\n##t\n##u\nthe\n##ing\n##ed\nun\n"
      "中\n文\né\n##é\nhello\nworld\n##ly\n";

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput || size < 1)
        return -1;
    const uint8_t flags = data[0];
    attn::HfTokenizerConfig config;
    config.doLowerCase = (flags & 1) != 0;
    if (flags & 2)
        config.stripAccents = (flags & 4) != 0;
    config.tokenizeChineseChars = (flags & 8) != 0;

    std::string text, vocab;
    if (flags & 0x80) {
        text = attn::fuzz::asString(data + 1, size - 1);
        vocab = kFixedVocab;
    } else {
        if (size < 3)
            return -1;
        const size_t n = std::min<size_t>(data[1] | (data[2] << 8), size - 3);
        text = attn::fuzz::asString(data + 3, n);
        vocab = attn::fuzz::asString(data + 3 + n, size - 3 - n);
    }

    const bool json = (flags & 0xC0) == 0x40;
    auto tok = [&]() -> attn::Expected<std::unique_ptr<attn::WordPieceTokenizer>> {
        if (!json)
            return attn::WordPieceTokenizer::fromBytes(vocab, config, "vocab.txt");
        auto j = attn::TokenizerFiles::parseJson(vocab, "tokenizer.json");
        if (!j)
            return j.takeError();
        return attn::WordPieceTokenizer::fromTokenizerJson(*j, config, "tokenizer.json");
    }();
    if (!tok) {
        FUZZ_CHECK(tok.error().rfind(json ? "tokenizer.json" : "vocab.txt", 0) == 0);
        return 0;
    }
    const auto& t = **tok;
    FUZZ_CHECK(t.vocabSize() >= 1);
    const auto out = t.encode(text);
    if (!out) {
        FUZZ_CHECK(out.error().rfind("the text is not valid UTF-8: byte 0x", 0) == 0);
        return 0;
    }
    FUZZ_CHECK(out->labels.size() == out->ids.size());
    for (size_t i = 0; i < out->ids.size(); ++i) {
        const int id = out->ids[i];
        FUZZ_CHECK(id >= 0 && id < t.vocabSize());
        const auto back = t.tokenId(out->labels[i]);
        FUZZ_CHECK(back && *back == id);
        (void)t.decode(id);
    }
    const auto model = t.encodeForModel(text, true);
    if (model) {
        FUZZ_CHECK(model->ids.size() == out->ids.size() + 2);
        FUZZ_CHECK(model->ids.front() == *t.bosId() && model->ids.back() == *t.eosId());
    } else {
        FUZZ_CHECK(!t.bosId() || !t.eosId());
    }
    (void)t.decode(-1);
    (void)t.decode(t.vocabSize());
    return 0;
}
