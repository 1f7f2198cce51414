#pragma once
// The layers of a large Hugging Face checkpoint made as the forward reaches them (LazyWeights): each
// layer's tensors, held as the file stores them (RawTensorStore: BF16 is half of float32), converted to
// float32 when the stack asks for the layer and dropped when it is done, so a BF16 model runs in about
// its file size plus its embedding and one layer of float32, not twice its file size. The embedding, the
// head and the norms outside the layers stay in float32 in the stack's weights (HfTextModel::load read
// and checked every layer once, which is when the store took their bytes).
#include "RawTensorStore.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

#include <memory>
#include <string>

namespace attn {

class HfLazyWeights : public LazyWeights {
public:
    HfLazyWeights(std::shared_ptr<const RawTensorStore> store, TransformerSpec spec, TensorNameTable names,
        std::string prefix, const Matrix* embedding, const Matrix* head);

    std::unique_ptr<Layer> layer(int index) const override;
    void embeddingRow(int id, float* out) const override;
    void headLogits(const float* x, float* logits) const override;

private:
    std::shared_ptr<const RawTensorStore> m_store;
    TransformerSpec m_spec;
    TensorNameTable m_names;
    std::string m_prefix;
    const Matrix* m_embedding; // owned by the stack's TransformerWeights
    const Matrix* m_head;
};

} // namespace attn
