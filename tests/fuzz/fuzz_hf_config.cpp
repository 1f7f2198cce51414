// libFuzzer harness: HfConfig::parse on arbitrary bytes (a Hugging Face config.json). A config that
// parses must satisfy what the models allocate from: every size positive and bounded, the heads a
// multiple of the kv heads, the hidden size divisible by the heads (the rotary decoders: an even
// head_dim or rotary part), the image a whole number of patches, token ids inside the vocabulary,
// a sliding window listed for every layer, Llama 3 scaling parameters the formula can divide by.
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
    if (c.isRotary()) {
        FUZZ_CHECK(c.headDim >= 2);
        if (c.rotaryDims == 0)
            FUZZ_CHECK(c.headDim % 2 == 0);
        else
            FUZZ_CHECK(c.rotaryDims >= 2 && c.rotaryDims % 2 == 0 && c.rotaryDims < c.headDim);
    } else {
        FUZZ_CHECK(c.headDim * c.heads == c.hiddenSize && c.rotaryDims == 0);
    }
    FUZZ_CHECK(c.slidingWindow >= 0);
    FUZZ_CHECK(c.slidingWindow == 0 ? c.slidingLayers.empty() : c.slidingLayers.size() == size_t(c.layers));
    if (c.ropeScaling == attn::RopeScaling::Llama3)
        FUZZ_CHECK(c.ropeFactor >= 1.0 && c.ropeLowFrequencyFactor > 0.0
            && c.ropeHighFrequencyFactor > c.ropeLowFrequencyFactor && c.ropeOriginalContext >= 1);
    if (c.isVision()) {
        FUZZ_CHECK(c.patchSize >= 1 && c.imageSize % c.patchSize == 0);
        FUZZ_CHECK(c.maxPositions == c.patchesPerSide() * c.patchesPerSide() + (c.distillationToken ? 2 : 1));
    } else {
        FUZZ_CHECK(c.vocabSize >= 1);
        FUZZ_CHECK(c.bosTokenId < c.vocabSize && c.eosTokenId < c.vocabSize);
        for (int id : c.eosTokenIds)
            FUZZ_CHECK(id >= 0 && id < c.vocabSize);
        FUZZ_CHECK(c.positionOffset >= 0);
    }
    return 0;
}
