#pragma once
// A Vision Transformer (Hugging Face modeling_vit.py, eval mode, no position interpolation) on the
// TransformerStack (VitFamily), and DeiT (modeling_deit.py: DeitFamily), which adds a distillation
// token after the CLS token. The picture (float CHW, already resized to image_size and normalised)
// is cut into P x P patches, row-major over the grid; each patch's C*P*P pixels (channel, row, column
// order, as the convolution's weight [D, C, P, P] is laid out) times the flattened weight plus bias is
// its embedding (the stride-P convolution as one matrix product); x = [cls; (distillation;) patches]
// goes through the stack, which adds the position embeddings. Tensors "embeddings.*" here, the
// encoder's through the family's table, with or without its prefix ("vit.", "deit.").
#include "ComputeControl.h"
#include "Expected.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "ModelAttention.h"
#include "TransformerStack.h"
#include "Types.h"

#include <memory>
#include <vector>

namespace attn {

class VitModel {
public:
    static Expected<std::unique_ptr<VitModel>> load(
        const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control = {});

    const HfConfig& config() const { return m_config; }

    // pixels: [channels, size, size] float CHW with size == image_size. Token 0 is the CLS token
    // (DeiT: token 1 the distillation token), token leadingTokens() + r * (S/P) + c the patch in grid
    // row r, column c (labels "CLS", "DIST", "r,c").
    Expected<ModelAttention> forward(const std::vector<float>& pixels, int size, bool keepQueriesKeys = false,
        const ComputeControl& control = {}) const;

    // The tokens before the patches: 1 (CLS), 2 for DeiT (CLS, distillation).
    int leadingTokens() const { return static_cast<int>(m_leading.rows()); }

private:
    VitModel(HfConfig config, Matrix patchWeight, Vector patchBias, Matrix leading, TransformerStack stack);
    HfConfig m_config;
    Matrix m_patchWeight; // [D, C*P*P]
    Vector m_patchBias;
    Matrix m_leading; // [leadingTokens, D]: the CLS (and distillation) token
    TransformerStack m_stack;
};

} // namespace attn
