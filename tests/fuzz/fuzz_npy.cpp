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
    // A shape with a 0 may have huge other dimensions (numpy allows (2**50, 2**40, 0)): the count is
    // 0 then, and the product of the others must not be formed (it overflows; the first 10-minute
    // run of this harness stopped on exactly that, in the harness itself, not in NpyFile).
    int64_t count = 1;
    bool empty = false;
    for (const int64_t dim : array->shape) {
        FUZZ_CHECK(dim >= 0);
        empty = empty || dim == 0;
    }
    if (empty)
        count = 0;
    else
        for (const int64_t dim : array->shape)
            count *= dim; // cannot overflow: the data is in memory
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
