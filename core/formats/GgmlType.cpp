#include "GgmlType.h"

#include <array>

namespace attn {

namespace {

struct Known {
    uint32_t id;
    const char* name;
    int blockValues; // 0: known to ggml, not dequantised here
    int blockBytes;
};

// ggml.h's enum ggml_type; block sizes from ggml-common.h (QK_K = 256).
constexpr std::array<Known, 38> kTypes { {
    { 0, "F32", 1, 4 },
    { 1, "F16", 1, 2 },
    { 2, "Q4_0", 32, 18 },
    { 3, "Q4_1", 32, 20 },
    { 6, "Q5_0", 32, 22 },
    { 7, "Q5_1", 32, 24 },
    { 8, "Q8_0", 32, 34 },
    { 9, "Q8_1", 0, 0 },
    { 10, "Q2_K", 256, 84 },
    { 11, "Q3_K", 256, 110 },
    { 12, "Q4_K", 256, 144 },
    { 13, "Q5_K", 256, 176 },
    { 14, "Q6_K", 256, 210 },
    { 15, "Q8_K", 0, 0 },
    { 16, "IQ2_XXS", 0, 0 },
    { 17, "IQ2_XS", 0, 0 },
    { 18, "IQ3_XXS", 0, 0 },
    { 19, "IQ1_S", 0, 0 },
    { 20, "IQ4_NL", 0, 0 },
    { 21, "IQ3_S", 0, 0 },
    { 22, "IQ2_S", 0, 0 },
    { 23, "IQ4_XS", 0, 0 },
    { 24, "I8", 0, 0 },
    { 25, "I16", 0, 0 },
    { 26, "I32", 0, 0 },
    { 27, "I64", 0, 0 },
    { 28, "F64", 0, 0 },
    { 29, "IQ1_M", 0, 0 },
    { 30, "BF16", 1, 2 },
    { 31, "Q4_0_4_4", 0, 0 },
    { 32, "Q4_0_4_8", 0, 0 },
    { 33, "Q4_0_8_8", 0, 0 },
    { 34, "TQ1_0", 0, 0 },
    { 35, "TQ2_0", 0, 0 },
    { 39, "MXFP4", 0, 0 },
    { 40, "NVFP4", 0, 0 },
    { 41, "Q1_0", 0, 0 },
    { 42, "Q2_0", 0, 0 },
} };

const Known* find(uint32_t id)
{
    for (const Known& k : kTypes)
        if (k.id == id)
            return &k;
    return nullptr;
}

} // namespace

std::optional<GgmlTypeTraits> GgmlTypeInfo::supported(uint32_t id)
{
    const Known* k = find(id);
    if (!k || k->blockValues == 0)
        return std::nullopt;
    return GgmlTypeTraits { k->blockValues, k->blockBytes };
}

std::string GgmlTypeInfo::name(uint32_t id)
{
    const Known* k = find(id);
    return k ? std::string(k->name) : "type " + std::to_string(id);
}

std::string GgmlTypeInfo::supportedList()
{
    return "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K";
}

} // namespace attn
