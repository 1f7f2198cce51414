#pragma once
// The Vision Transformer encoder as Hugging Face's modeling_vit.py computes it (eval mode, no
// position interpolation): the picture (float CHW, already resized to image_size and normalised)
// is cut into P x P patches, row-major over the grid; each patch's C*P*P pixels (channel, row,
// column order, as the convolution's weight [D, C, P, P] is laid out) times the flattened weight plus
// bias is its embedding (the stride-P convolution as one matrix product). Then
//   x = [cls; patches] + position_embeddings                           ([1 + (S/P)^2, D])
//   per layer (pre-LN):  x += (softmax(Q K^T / sqrt(d)) V per head) W_o^T + b_o, Q/K/V from LN_before(x)
//                        x += W_2 gelu_erf(W_1 LN_after(x) + b_1) + b_2
// Tensors "embeddings.*", "encoder.layer.N.*", with or without the "vit." prefix (the final layernorm
// and the pooler do not change the attention and are not read).
#include "ComputeControl.h"
#include "Expected.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "ModelAttention.h"
#include "Types.h"

#include <memory>
#include <vector>

namespace attn {

class VitModel {
public:
    static Expected<std::unique_ptr<VitModel>> load(
        const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control = {});

    const HfConfig& config() const { return m_config; }

    // pixels: [channels, size, size] float CHW with size == image_size. Token 0 is the CLS token,
    // token 1 + r * (S/P) + c the patch in grid row r, column c (labels "CLS", "r,c").
    Expected<ModelAttention> forward(const std::vector<float>& pixels, int size, bool keepQueriesKeys = false,
        const ComputeControl& control = {}) const;

private:
    explicit VitModel(HfConfig config)
        : m_config(std::move(config))
    {
    }
    struct Layer {
        Matrix wq, wk, wv, wo, w1, w2;
        Vector bq, bk, bv, bo, b1, b2, ln1w, ln1b, ln2w, ln2b;
    };
    HfConfig m_config;
    Matrix m_patchWeight; // [D, C*P*P]
    Vector m_patchBias;
    Vector m_cls;
    Matrix m_position; // [1 + patches, D]
    std::vector<Layer> m_layers;
};

} // namespace attn
