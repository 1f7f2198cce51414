#pragma once
// Gemma 2 (Hugging Face modeling_gemma2.py) as a spec over the TransformerStack: Llama's layout with
//   x = embed * sqrt(hidden_size), the factor rounded to the checkpoint's dtype (torch_dtype) as
//       Gemma2Model's torch.tensor(hidden_size ** 0.5, dtype=...) does (bf16: sqrt(2304) stays 48,
//       sqrt(32) = 5.65685 becomes 5.65625);
//   RMSNorms scaling by (1 + w), four per layer: x += post_attention_layernorm(attn(input_layernorm(x))),
//       x += post_feedforward_layernorm(mlp(pre_feedforward_layernorm(x)));
//   scores * query_pre_attn_scalar^-0.5, then cap * tanh(s / cap) (attn_logit_softcapping), then the
//       causal and sliding-window mask (layer_types; default layers 0, 2, 4, ...), softmax;
//   a GeGLU MLP down(gelu_tanh(gate x) * up x); the head tied to the embedding, logits capped
//       (final_logit_softcapping).
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class Gemma2Family {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
