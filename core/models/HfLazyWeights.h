#pragma once
// The layers of a large Hugging Face checkpoint read as the forward reaches them (LazyWeights): each
// layer's tensors converted from the file's F32 / F16 / BF16 to float32 when the stack asks for it and
// dropped when the layer is done, so a BF16 model runs in about its embedding plus one layer of
// float32, not twice its file size. The embedding, the head and the norms outside the layers stay in
// float32 in the stack's weights (HfTextModel::load checked every layer's tensors once).
#include "HfCheckpoint.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

#include <memory>
#include <string>

namespace attn {

class HfLazyWeights : public LazyWeights {
public:
    HfLazyWeights(std::shared_ptr<const HfCheckpoint> checkpoint, TransformerSpec spec, TensorNameTable names,
        std::string prefix, const Matrix* embedding, const Matrix* head);

    std::unique_ptr<Layer> layer(int index) const override;
    void embeddingRow(int id, float* out) const override;
    void headLogits(const float* x, float* logits) const override;

private:
    std::shared_ptr<const HfCheckpoint> m_checkpoint;
    TransformerSpec m_spec;
    TensorNameTable m_names;
    std::string m_prefix;
    const Matrix* m_embedding; // owned by the stack's TransformerWeights
    const Matrix* m_head;
};

} // namespace attn
