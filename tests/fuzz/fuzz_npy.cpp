// libFuzzer harness: NpyFile::parse on an arbitrary file image. An array that parses has exactly
// shape-product elements, survives serialize() -> parse() bitwise, and is offered to
// SequenceParser::fromNpy (which accepts 1-D and 2-D arrays).
#include "FuzzCommon.h"

#include "NpyFile.h"
#include "SequenceParser.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const auto array = attn::NpyFile::parse(attn::fuzz::asString(data, size), "fuzz.npy");
    if (!array) {
        FUZZ_CHECK(!array.error().empty());
        return 0;
    }
    int64_t count = 1;
    for (const int64_t dim : array->shape) {
        FUZZ_CHECK(dim >= 0);
        count *= dim; // cannot overflow: the data is in memory
    }
    FUZZ_CHECK(static_cast<int64_t>(array->data.size()) == count);

    const std::string image = attn::NpyFile::serialize(array->shape, array->data.data());
    const auto again = attn::NpyFile::parse(image, "roundtrip.npy");
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->shape == array->shape);
    FUZZ_CHECK(again->data.size() == array->data.size());
    FUZZ_CHECK(array->data.empty()
        || std::memcmp(again->data.data(), array->data.data(), array->data.size() * sizeof(float)) == 0);

    const auto seq = attn::SequenceParser::fromNpy(*array, "fuzz.npy");
    if (seq) {
        FUZZ_CHECK(static_cast<size_t>(seq->values.rows()) == seq->labels.size());
        FUZZ_CHECK(seq->values.allFinite());
    }
    return 0;
}
