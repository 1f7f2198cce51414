#pragma once
// BERT's encoder as Hugging Face's modeling_bert.py computes it (eval mode, one sequence, no padding):
//   x = LayerNorm(word[id] + position[i] + token_type[0])
//   per layer (post-LN):  a = softmax(Q K^T / sqrt(d)) V per head, Q/K/V = x W^T + b
//                         x = LayerNorm(a W_o^T + b_o + x)
//                         x = LayerNorm(W_2 gelu_erf(W_1 x + b_1) + b_2 + x)
// Tensors "embeddings.*", "encoder.layer.N.*", with or without the "bert." prefix of the
// BertFor... heads (the pooler and heads are not needed for attention and are not read).
#include "HfTextModel.h"
#include "Types.h"

namespace attn {

class BertModel : public HfTextModel {
public:
    static Expected<std::unique_ptr<BertModel>> load(const HfConfig& config, const HfCheckpoint& checkpoint);

protected:
    Status forwardBlock(const int* ids, int n, KvCache& cache, ModelAttention* capture,
        std::vector<float>* lastLogits, const ComputeControl& control) const override;

private:
    using HfTextModel::HfTextModel;
    struct Layer {
        Matrix wq, wk, wv, wo, w1, w2;
        Vector bq, bk, bv, bo, b1, b2, ln1w, ln1b, ln2w, ln2b;
    };
    Matrix m_word, m_position;
    Vector m_tokenType0, m_lnWeight, m_lnBias;
    std::vector<Layer> m_layers;
};

} // namespace attn
