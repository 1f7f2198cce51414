// libFuzzer harness: GgufFile::fromBytes on an arbitrary file image, then every metadata value's
// accessors and every tensor dequantised (up to 1 M values each), and the architecture read from the
// metadata (GgufFamily::spec). Invariants: errors are non-empty and name the file; a parsed file's
// tensors lie inside it, aligned, with bytes = elements / block * block bytes; a dequantised tensor
// has exactly its element count; rows read one at a time equal the whole.
#include "FuzzCommon.h"

#include "GgufFamily.h"
#include "GgufFile.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    auto file = attn::GgufFile::fromBytes(attn::fuzz::asString(data, size), "fuzz.gguf");
    if (!file) {
        FUZZ_CHECK(file.error().rfind("fuzz.gguf: ", 0) == 0);
        return 0;
    }
    FUZZ_CHECK(file->version() == 2 || file->version() == 3);
    for (const auto& entry : file->metadata()) {
        FUZZ_CHECK(file->find(entry.key) == &entry.value);
        FUZZ_CHECK(!entry.value.display().empty());
        FUZZ_CHECK(!entry.value.typeName().empty());
        if (entry.value.isArray() && entry.value.size() > 0) {
            (void)entry.value.intAt(entry.value.size() - 1);
            (void)entry.value.floatAt(0);
        }
    }
    for (const auto& t : file->tensors()) {
        FUZZ_CHECK(file->tensor(t.name) == &t);
        FUZZ_CHECK(t.offset % file->alignment() == 0);
        const auto traits = attn::GgmlTypeInfo::supported(static_cast<uint32_t>(t.type));
        FUZZ_CHECK(traits.has_value());
        FUZZ_CHECK(t.bytes == t.elements / traits->blockValues * traits->blockBytes);
        FUZZ_CHECK(t.offset + t.bytes <= size);
        if (t.elements > (1u << 20))
            continue;
        auto values = file->dequantize(t);
        if (!values) {
            FUZZ_CHECK(values.error().find("not finite") != std::string::npos);
            continue;
        }
        FUZZ_CHECK(values->size() == t.elements);
        std::vector<float> row(static_cast<size_t>(t.rowLength()));
        const uint64_t last = t.rows() - 1;
        FUZZ_CHECK(file->dequantizeRows(t, last, 1, row.data()).ok());
        FUZZ_CHECK(std::memcmp(row.data(), values->data() + last * t.rowLength(), row.size() * sizeof(float)) == 0);
    }
    auto spec = attn::GgufFamily::spec(*file);
    if (!spec) {
        FUZZ_CHECK(!spec.error().empty());
        return 0;
    }
    FUZZ_CHECK(spec->layers >= 1 && spec->heads >= 1 && spec->kvHeads >= 1 && spec->heads % spec->kvHeads == 0);
    FUZZ_CHECK(spec->vocab >= 1 && spec->hidden >= 1 && spec->headDim % 2 == 0);
    return 0;
}
