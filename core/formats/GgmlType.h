#pragma once
// ggml's tensor types as GGUF files store them: the id in the file, the name llama.cpp prints, and
// the block layout (values per block, bytes per block). Only the types AttnScope dequantises are
// `supported`; every other id known to ggml has its name, so a message can say "IQ2_XXS (16)".
#include <cstdint>
#include <optional>
#include <string>

namespace attn {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    BF16 = 30,
};

struct GgmlTypeTraits {
    int blockValues = 0; // values per block (1 for the float types)
    int blockBytes = 0;  // bytes per block
};

class GgmlTypeInfo {
public:
    // The traits of a type AttnScope can dequantise; nullopt for any other id.
    static std::optional<GgmlTypeTraits> supported(uint32_t id);
    // "Q4_K", "IQ2_XXS", ...; "type 99" for an id ggml does not know.
    static std::string name(uint32_t id);
    static std::string name(GgmlType type) { return name(static_cast<uint32_t>(type)); }
    // "F32, F16, BF16, Q8_0, ..." for messages.
    static std::string supportedList();
};

} // namespace attn
