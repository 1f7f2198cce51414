#include "GgufLazyWeights.h"

#include "WeightLoader.h"

#include <algorithm>
#include <vector>

namespace attn {

GgufLazyWeights::GgufLazyWeights(
    std::shared_ptr<const GgufCheckpoint> checkpoint, TransformerSpec spec, TensorNameTable names)
    : m_checkpoint(std::move(checkpoint))
    , m_spec(std::move(spec))
    , m_names(std::move(names))
{
    m_embedding = m_checkpoint->file().tensor(m_names.tokenEmbedding);
    m_head = m_spec.tiedHead ? m_embedding : m_checkpoint->file().tensor(m_names.head);
}

std::unique_ptr<LazyWeights::Layer> GgufLazyWeights::layer(int index) const
{
    auto made = std::make_unique<Layer>();
    TensorReader reader(*m_checkpoint, "");
    made->weights = WeightLoader::loadLayer(m_spec, m_names, reader, made->store, index);
    return made; // GgufModel::load read every layer once, so the reader cannot fail here
}

void GgufLazyWeights::embeddingRow(int id, float* out) const
{
    (void)m_checkpoint->file().dequantizeRows(*m_embedding, static_cast<uint64_t>(id), 1, out);
}

void GgufLazyWeights::headLogits(const float* x, float* logits) const
{
    const auto hidden = static_cast<Eigen::Index>(m_spec.hidden);
    const Eigen::Map<const Eigen::VectorXf> input(x, hidden);
    std::vector<float> block;
    const uint64_t rows = m_head->rows();
    for (uint64_t first = 0; first < rows; first += kHeadBlockRows) {
        const uint64_t n = std::min(kHeadBlockRows, rows - first);
        block.resize(static_cast<size_t>(n) * static_cast<size_t>(hidden));
        (void)m_checkpoint->file().dequantizeRows(*m_head, first, n, block.data());
        const Eigen::Map<const Matrix> w(block.data(), static_cast<Eigen::Index>(n), hidden);
        Eigen::Map<Eigen::VectorXf>(logits + first, static_cast<Eigen::Index>(n)).noalias() = w * input;
    }
}

} // namespace attn
