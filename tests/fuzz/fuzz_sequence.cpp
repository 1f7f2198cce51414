// libFuzzer harness: SequenceParser::parseInline and parseCsv on the same text. A sequence that
// parses has one label per row, at least one row and column, and only finite values.
#include "FuzzCommon.h"

#include "SequenceParser.h"

namespace {

void checkSequence(const attn::Expected<attn::Sequence>& seq)
{
    if (!seq) {
        FUZZ_CHECK(!seq.error().empty());
        return;
    }
    FUZZ_CHECK(seq->values.rows() >= 1 && seq->values.cols() >= 1);
    FUZZ_CHECK(static_cast<size_t>(seq->values.rows()) == seq->labels.size());
    FUZZ_CHECK(seq->values.allFinite()); // NaN and Inf are rejected
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const std::string text = attn::fuzz::asString(data, size);
    checkSequence(attn::SequenceParser::parseInline(text));
    checkSequence(attn::SequenceParser::parseCsv(text, "fuzz.csv"));
    return 0;
}
