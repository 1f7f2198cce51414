#pragma once
// RoBERTa (Hugging Face modeling_roberta.py) as a spec over the TransformerStack: BERT (BertFamily)
// whose learned positions start at padding_idx + 1 (create_position_ids_from_input_ids on a sequence
// without padding), tensors under "roberta." (RobertaFor... heads; lm_head.* is not read).
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

class RobertaFamily {
public:
    static TransformerSpec spec(const HfConfig& config);
    static TensorNameTable tensorNames();
};

} // namespace attn
