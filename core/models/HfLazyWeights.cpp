#include "HfLazyWeights.h"

#include "WeightLoader.h"

namespace attn {

HfLazyWeights::HfLazyWeights(std::shared_ptr<const RawTensorStore> store, TransformerSpec spec,
    TensorNameTable names, std::string prefix, const Matrix* embedding, const Matrix* head)
    : m_store(std::move(store))
    , m_spec(std::move(spec))
    , m_names(std::move(names))
    , m_prefix(std::move(prefix))
    , m_embedding(embedding)
    , m_head(head)
{
}

std::unique_ptr<LazyWeights::Layer> HfLazyWeights::layer(int index) const
{
    auto made = std::make_unique<Layer>();
    TensorReader reader(*m_store, m_prefix);
    made->weights = WeightLoader::loadLayer(m_spec, m_names, reader, made->store, index);
    return made; // HfTextModel::load read every layer once, so the reader cannot fail here
}

void HfLazyWeights::embeddingRow(int id, float* out) const
{
    Eigen::Map<Eigen::RowVectorXf>(out, m_embedding->cols()) = m_embedding->row(id);
}

void HfLazyWeights::headLogits(const float* x, float* logits) const
{
    const Eigen::Map<const Eigen::VectorXf> input(x, m_head->cols());
    Eigen::Map<Eigen::VectorXf>(logits, m_head->rows()).noalias() = *m_head * input;
}

} // namespace attn
