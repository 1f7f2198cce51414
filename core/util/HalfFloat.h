#pragma once
// The two 16-bit float formats of checkpoints, converted to float32 exactly (every value of both is
// a float32 value): IEEE 754 binary16 (safetensors F16, GGUF F16 and the scales of ggml's quantised
// blocks) and bfloat16 (the top half of a float32).
#include <bit>
#include <cmath>
#include <cstdint>

namespace attn {

inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t { h & 0x8000u } << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float.
        bits = sign | std::bit_cast<uint32_t>(std::ldexp(static_cast<float>(mantissa), -24));
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13); // inf (mantissa 0) or NaN (payload kept)
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13); // rebias 15 -> 127
    }
    return std::bit_cast<float>(bits);
}

inline float bfloat16ToFloat(uint16_t b)
{
    return std::bit_cast<float>(uint32_t { b } << 16);
}

} // namespace attn
