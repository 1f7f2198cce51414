#pragma once
// The weights of a GGUF model made as the forward needs them (LazyWeights): one layer dequantised at
// a time through the family's GGUF tensor names (WeightLoader::loadLayer over the GgufCheckpoint),
// embedding rows of the prompt's tokens only, and the head's logits in blocks of rows, so a
// quantised model runs within its file's size (mapped) plus one layer and the working memory,
// never a float32 copy of the whole model. GgufModel checked every tensor before making one.
#include "GgufCheckpoint.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

#include <memory>

namespace attn {

class GgufLazyWeights : public LazyWeights {
public:
    static constexpr uint64_t kHeadBlockRows = 2048;

    GgufLazyWeights(std::shared_ptr<const GgufCheckpoint> checkpoint, TransformerSpec spec, TensorNameTable names);

    std::unique_ptr<Layer> layer(int index) const override;
    void embeddingRow(int id, float* out) const override;
    void headLogits(const float* x, float* logits) const override;

private:
    std::shared_ptr<const GgufCheckpoint> m_checkpoint;
    TransformerSpec m_spec;
    TensorNameTable m_names;
    const GgufTensorInfo* m_embedding = nullptr;
    const GgufTensorInfo* m_head = nullptr; // the embedding when tied
};

} // namespace attn
