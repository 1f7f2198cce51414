#pragma once
// DeiT (Hugging Face modeling_deit.py) as a spec over the TransformerStack: the ViT encoder
// (VitFamily) over [CLS; distillation; patches]; VitModel reads the two tokens and the patch embedding
// (HfConfig::distillationToken). Tensors as ViT's, with or without the "deit." prefix of the
// DeiTFor... heads.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class DeitFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
