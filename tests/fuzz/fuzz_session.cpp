// libFuzzer harness: SessionFile::parse on arbitrary text. A session that parses must serialize
// and parse again to the same serialization (nothing lost or invented on the way).
#include "FuzzCommon.h"

#include "Session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const auto session = attn::SessionFile::parse(attn::fuzz::asString(data, size), "fuzz.attnscope");
    if (!session) {
        FUZZ_CHECK(session.error().rfind("fuzz.attnscope", 0) == 0); // messages name the file
        return 0;
    }
    const std::string text = attn::SessionFile::serialize(*session);
    const auto again = attn::SessionFile::parse(text, "roundtrip.attnscope");
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(attn::SessionFile::serialize(*again) == text);
    return 0;
}
