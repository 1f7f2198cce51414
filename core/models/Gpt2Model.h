#pragma once
// GPT-2 as Hugging Face's modeling_gpt2.py computes it (eval mode):
//   x = wte[id] + wpe[i]
//   per layer (pre-LN):  q|k|v = LN_1(x) W_attn + b_attn   (Conv1D: weights stored [in, out])
//                        x += (causal softmax(Q K^T / sqrt(d)) V per head) W_proj + b_proj
//                        x += gelu_new(LN_2(x) W_fc + b_fc) W_mproj + b_mproj
//   logits = LN_f(x) wte^T   (the LM head is tied to the token embedding)
// Tensors "wte.weight", "wpe.weight", "h.N.*", "ln_f.*", with or without the "transformer." prefix.
#include "HfTextModel.h"
#include "Types.h"

namespace attn {

class Gpt2Model : public HfTextModel {
public:
    static Expected<std::unique_ptr<Gpt2Model>> load(const HfConfig& config, const HfCheckpoint& checkpoint);

protected:
    Status forwardBlock(const int* ids, int n, KvCache& cache, ModelAttention* capture,
        std::vector<float>* lastLogits, const ComputeControl& control) const override;

private:
    using HfTextModel::HfTextModel;
    struct Layer {
        Matrix attn, proj, fc, mproj; // [in, out]
        Vector attnBias, projBias, fcBias, mprojBias, ln1w, ln1b, ln2w, ln2b;
    };
    Matrix m_wte, m_wpe;
    Vector m_lnfWeight, m_lnfBias;
    std::vector<Layer> m_layers;
};

} // namespace attn
