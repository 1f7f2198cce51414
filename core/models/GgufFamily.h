#pragma once
// A GGUF file's architecture as a TransformerSpec and a TensorNameTable, read from its metadata
// (llama.cpp's keys: "<arch>.block_count", "<arch>.attention.head_count", ...) and tensor dims:
//   llama   Llama 2 / 3.x, Mistral, and what else llama.cpp writes as llama: RMSNorm, SwiGLU,
//           Q and K permuted by the converter (read back unpermuted), Llama 3.1's rope_freqs tensor,
//           the sliding window when "llama.attention.sliding_window" is set
//   qwen2   Llama + q/k/v biases, half-split RoPE
//   gemma2  GeGLU, embeddings x sqrtf(d) (unrounded, as llama.cpp; HF rounds to the checkpoint's dtype),
//           RMSNorm by the stored weight (llama.cpp's converter stores Gemma's 1 + w), pre and post norms
//           (post_attention_norm, post_ffw_norm), attention and final soft-caps and the window on even layers
//           from gemma2.attn_logit_softcapping / final_logit_softcapping / attention.sliding_window (all three
//           required: the converter always writes them), no Q/K permutation, RoPE over key_length dims with
//           theta 10000 (the converter writes no rope keys), query scale 1/sqrt(key_length)
//           (1/sqrt(d / heads) for the 46-layer 27B, as llama.cpp decides; a GGUF has no
//           query_pre_attn_scalar)
//   phi3    fused attn_qkv ([q; k; v] rows, not permuted) and ffn_up of twice feed_forward_length
//           ([gate; up]), partial rotary from rope.dimension_count, the window of attention.sliding_window
//           on every layer as Hugging Face's Phi3 (llama.cpp currently ignores it for phi3); LongRoPE
//           factor tensors are refused
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
