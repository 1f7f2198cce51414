#pragma once
// Llama (Hugging Face modeling_llama.py) as a spec over the TransformerStack: RMSNorm pre-norm
// blocks, rotary positions on half-split pairs (rotate_half) with rope_theta, grouped-query attention,
// a SwiGLU MLP, the final norm and lm_head (or the embedding when tie_word_embeddings). Tensors
// "embed_tokens", "layers.N.*", "norm" with or without "model.", and "lm_head.weight".
// What the config adds is carried over: Llama 3.1's rope_scaling (rope_type llama3), partial rotary,
// a sliding window on the layers HfConfig lists, every eos_token_id as a stop token. Mistral is this
// family unchanged (the same tensors; its sliding_window comes from its config); Qwen2, Gemma 2 and
// Phi-3 start from this spec.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class LlamaFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
