#pragma once
// ggml's block formats turned into float32, value for value as ggml's reference dequantize_row_*
// functions compute them (the same operations in the same order, each rounded to float32; this file
// is compiled without floating-point contraction so that no multiply-add is fused). Layouts
// (ggml-common.h; d, dmin and m are fp16):
//   Q8_0  32 values: d, int8 q[32]                                  x = d q
//   Q4_0  32 values: d, 16 bytes of nibbles (low: 0..15, high: 16..31)   x = d (q - 8)
//   Q4_1  32 values: d, m, nibbles                                  x = d q + m
//   Q5_0  32 values: d, 32 high bits, nibbles                       x = d (q - 16)
//   Q5_1  32 values: d, m, 32 high bits, nibbles                    x = d q + m
//   Q2_K  256 values: 16 bytes of 4-bit scale/min pairs, 64 bytes of 2-bit q, d, dmin
//   Q3_K  256 values: 32 bytes high-bit mask, 64 bytes of 2-bit q, 12 bytes of 6-bit scales, d
//   Q4_K  256 values: d, dmin, 12 bytes of 6-bit scales and mins (8 sub-blocks of 32), 128 bytes of nibbles
//   Q5_K  256 values: as Q4_K plus 32 bytes of high bits
//   Q6_K  256 values: 128 bytes low nibbles, 64 bytes high 2 bits, int8 scales[16], d
#include "GgmlType.h"

#include <cstdint>

namespace attn {

class GgmlDequantizer {
public:
    // Converts `count` values (a whole number of blocks of a supported type; the caller checks both)
    // stored at `src` to float32 at `dst`.
    static void dequantize(GgmlType type, const uint8_t* src, float* dst, int64_t count);
};

} // namespace attn
