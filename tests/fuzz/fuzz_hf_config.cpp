// libFuzzer harness: HfConfig::parse on arbitrary bytes (a Hugging Face config.json). A config that
// parses must satisfy what the models allocate from: every size positive and bounded, the heads a
// multiple of the kv heads, the hidden size divisible by the heads (Llama: an even head_dim), the
// image a whole number of patches, token ids inside the vocabulary.
#include "FuzzCommon.h"

#include "HfConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    auto config = attn::HfConfig::parse(attn::fuzz::asString(data, size), "fuzz/config.json");
    if (!config) {
        FUZZ_CHECK(!config.error().empty());
        return 0;
    }
    const attn::HfConfig& c = *config;
    FUZZ_CHECK(c.hiddenSize >= 1 && c.hiddenSize <= 65536);
    FUZZ_CHECK(c.layers >= 1 && c.layers <= 1024);
    FUZZ_CHECK(c.heads >= 1 && c.kvHeads >= 1 && c.heads % c.kvHeads == 0);
    FUZZ_CHECK(c.headDim >= 1 && int64_t { c.heads } * c.headDim <= 65536);
    FUZZ_CHECK(c.intermediateSize >= 1 && c.maxPositions >= 1);
    if (c.architecture == attn::HfArchitecture::Llama)
        FUZZ_CHECK(c.headDim % 2 == 0);
    else
        FUZZ_CHECK(c.headDim * c.heads == c.hiddenSize);
    if (c.architecture == attn::HfArchitecture::Vit) {
        FUZZ_CHECK(c.patchSize >= 1 && c.imageSize % c.patchSize == 0);
        FUZZ_CHECK(c.maxPositions == c.patchesPerSide() * c.patchesPerSide() + 1);
    } else {
        FUZZ_CHECK(c.vocabSize >= 1);
        FUZZ_CHECK(c.bosTokenId < c.vocabSize && c.eosTokenId < c.vocabSize);
    }
    return 0;
}
