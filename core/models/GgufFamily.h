#pragma once
// A GGUF file's architecture as a TransformerSpec and a TensorNameTable, read from its metadata
// (llama.cpp's keys: "<arch>.block_count", "<arch>.attention.head_count", ...) and tensor dims:
//   llama   Llama 2 / 3.x, Mistral, and what else llama.cpp writes as llama: RMSNorm, SwiGLU,
//           Q and K permuted by the converter (read back unpermuted), Llama 3.1's rope_freqs tensor,
//           the sliding window when "llama.attention.sliding_window" is set
//   qwen2   Llama + q/k/v biases, half-split RoPE
//   gemma2  GeGLU, embeddings x sqrt(d), RMSNorm (llama.cpp's converter stores Gemma's 1 + w, so the
//           norm multiplies by the stored weight), pre and post norms, attention and final soft-caps,
//           the sliding window on even layers, query scale 1/sqrt(key_length) (1/sqrt(d / heads) for the
//           46-layer 27B, as llama.cpp decides; its GGUF has no query_pre_attn_scalar)
//   phi3    fused attn_qkv and gate/up (ffn_up of twice the width), partial rotary from
//           rope.dimension_count
// Anything else (another architecture, experts, per-layer head counts) is refused by name.
#include "Expected.h"
#include "GgufFile.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

#include <string>

namespace attn {

class GgufFamily {
public:
    static Expected<TransformerSpec> spec(const GgufFile& file);
    static TensorNameTable tensorNames(const TransformerSpec& spec);
    // Whether the architecture's converter permuted Q and K for llama.cpp's RoPE pairing.
    static bool permutesQueryKey(const std::string& architecture) { return architecture == "llama"; }
    static const char* supportedList() { return "llama (Llama 2/3, Mistral), qwen2, gemma2, phi3"; }
};

} // namespace attn
