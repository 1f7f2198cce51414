#pragma once
// A Hugging Face Llama checkpoint as modeling_llama.py computes it (eval mode, no rope_scaling):
//   x = embed_tokens[id]
//   per layer:
//     h = RMSNorm(x)   (eps rms_norm_eps; LlamaRMSNorm)
//     q = h W_q^T [N, H*d];  k = h W_k^T, v = h W_v^T [N, H_kv*d]
//     RoPE, HF's half-split convention (rotate_half): for j < d/2, f_j = rope_theta^(-2j/d),
//       a = position * f_j:  q_j' = q_j cos a - q_{j+d/2} sin a,  q_{j+d/2}' = q_{j+d/2} cos a + q_j sin a
//       (llama2.c rotates (2j, 2j+1) pairs instead, see LlamaModel)
//     grouped-query causal attention, head h reads kv head h / (H / H_kv), scaled by 1/sqrt(d)
//     x += o W_o^T
//     x += W_down (silu(W_gate h') * W_up h')  with h' = RMSNorm(x)
//   logits = RMSNorm(x) lm_head^T   (embed_tokens when tie_word_embeddings)
// Tensors "model.embed_tokens.weight", "model.layers.N.*", "model.norm.weight", "lm_head.weight".
#include "HfTextModel.h"
#include "Types.h"

namespace attn {

class HfLlamaModel : public HfTextModel {
public:
    static Expected<std::unique_ptr<HfLlamaModel>> load(
        const HfConfig& config, const HfCheckpoint& checkpoint);

protected:
    Status forwardBlock(const int* ids, int n, KvCache& cache, ModelAttention* capture,
        std::vector<float>* lastLogits, const ComputeControl& control) const override;

private:
    using HfTextModel::HfTextModel;
    struct Layer {
        Matrix wq, wk, wv, wo, gate, up, down;
        Vector inputNorm, postNorm;
    };
    Matrix m_embed, m_lmHead; // m_lmHead empty when tied
    Vector m_norm;
    std::vector<Layer> m_layers;
};

} // namespace attn
