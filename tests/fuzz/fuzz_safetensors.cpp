// libFuzzer harness: SafetensorsFile::fromBytes on an arbitrary file image, then tensor() for every
// entry. A tensor that reads must have exactly shape-product elements, and the F32 tensors read
// must survive serialize() -> fromBytes() -> tensor() unchanged (bitwise).
#include "FuzzCommon.h"

#include "SafetensorsFile.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    auto file = attn::SafetensorsFile::fromBytes(attn::fuzz::asString(data, size), "fuzz.safetensors");
    if (!file) {
        FUZZ_CHECK(!file.error().empty());
        return 0;
    }
    std::vector<attn::Tensor> tensors;
    for (const auto& entry : file->entries()) {
        FUZZ_CHECK(file->find(entry.name) != nullptr);
        auto tensor = file->tensor(entry.name);
        if (!tensor) {
            FUZZ_CHECK(!tensor.error().empty());
            continue;
        }
        FUZZ_CHECK(tensor->shape == entry.shape);
        FUZZ_CHECK(static_cast<int64_t>(tensor->data.size()) == tensor->elementCount());
        tensors.push_back(std::move(*tensor));
    }
    if (tensors.empty())
        return 0;
    // Round trip through the writer.
    const std::string image = attn::SafetensorsFile::serialize(tensors);
    auto again = attn::SafetensorsFile::fromBytes(image, "roundtrip.safetensors");
    FUZZ_CHECK(again.ok());
    for (const auto& t : tensors) {
        auto back = again->tensor(t.name);
        FUZZ_CHECK(back.ok());
        FUZZ_CHECK(back->shape == t.shape);
        FUZZ_CHECK(back->data.size() == t.data.size());
        FUZZ_CHECK(t.data.empty() || std::memcmp(back->data.data(), t.data.data(), t.data.size() * sizeof(float)) == 0);
    }
    return 0;
}
