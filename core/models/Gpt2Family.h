#pragma once
// GPT-2 (Hugging Face modeling_gpt2.py) as a spec over the TransformerStack: learned positions,
// pre-LN blocks, the fused c_attn projection and Conv1D weights stored [in, out], GELU (tanh) MLP,
// ln_f and a head tied to wte. Tensors "wte", "wpe", "h.N.*", "ln_f", with or without "transformer.".
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class Gpt2Family {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
