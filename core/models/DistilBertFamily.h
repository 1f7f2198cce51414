#pragma once
// DistilBERT (Hugging Face modeling_distilbert.py) as a spec over the TransformerStack: x =
// LayerNorm(word[id] + position[i]) (no token types), post-LN blocks (sa_layer_norm after attention,
// output_layer_norm after the ffn), biased q_lin/k_lin/v_lin/out_lin, a GELU (erf) MLP lin1/lin2,
// LayerNorm eps 1e-12. Tensors "embeddings.*", "transformer.layer.N.*", with or without the
// "distilbert." prefix of the DistilBertFor... heads.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class DistilBertFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
