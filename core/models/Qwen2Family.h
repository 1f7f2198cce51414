#pragma once
// Qwen2 (Hugging Face modeling_qwen2.py) as a spec over the TransformerStack: Llama (LlamaFamily) with
// biases on q_proj, k_proj and v_proj (none on o_proj). Its sliding window exists only when the config
// says use_sliding_window, on the layers from max_window_layers on (HfConfig reads which). Tensors
// as Llama's plus "layers.N.self_attn.{q,k,v}_proj.bias".
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class Qwen2Family {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
