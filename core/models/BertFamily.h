#pragma once
// BERT (Hugging Face modeling_bert.py, eval mode, one sequence, no padding) as a spec over the
// TransformerStack: x = LayerNorm(word[id] + position[i] + token_type[0]); post-LN blocks with
// biased q/k/v/o and a GELU (erf) MLP. Tensors "embeddings.*", "encoder.layer.N.*", with or without
// the "bert." prefix of the BertFor... heads (the pooler and heads are not read).
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class BertFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
