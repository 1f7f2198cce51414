#pragma once
// The Vision Transformer encoder (Hugging Face modeling_vit.py) as a spec over the TransformerStack:
// pre-LN blocks (layernorm_before / layernorm_after), q/k/v with or without biases (qkv_bias), a GELU
// (erf) MLP, learned positions over [CLS; patches]. The patch embedding and CLS token are read by
// VitModel; the final layernorm and the pooler do not change the attention and are not read.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class VitFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
