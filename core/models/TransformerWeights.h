#pragma once
// The weights of one TransformerStack under the stack's own names, whatever the family calls them.
// Matrices are [out, in] (y = x W^T). Each slot points at a tensor that either lives here (keep():
// loaded from a file) or is borrowed from a checkpoint object that outlives the stack (llama2.c).
// A null slot is a tensor the spec does not use (no biases, no final norm, ...).
#include "Types.h"

#include <deque>
#include <memory>
#include <vector>

namespace attn {

struct TransformerLayerWeights {
    const Vector* attnNormWeight = nullptr;
    const Vector* attnNormBias = nullptr;
    const Matrix* wq = nullptr;
    const Matrix* wk = nullptr;
    const Matrix* wv = nullptr;
    const Vector* bq = nullptr;
    const Vector* bk = nullptr;
    const Vector* bv = nullptr;
    const Matrix* wo = nullptr;
    const Vector* bo = nullptr;
    const Vector* postAttnNormWeight = nullptr; // sandwich norms (Gemma 2)
    const Vector* mlpNormWeight = nullptr;
    const Vector* mlpNormBias = nullptr;
    const Matrix* gate = nullptr; // gated MLPs
    const Matrix* up = nullptr;   // W1
    const Vector* upBias = nullptr;
    const Matrix* down = nullptr; // W2
    const Vector* downBias = nullptr;
    const Vector* postMlpNormWeight = nullptr;
};

class LazyWeights;

class TransformerWeights {
public:
    TransformerWeights() = default;
    TransformerWeights(TransformerWeights&&) = default;
    TransformerWeights& operator=(TransformerWeights&&) = default;
    TransformerWeights(const TransformerWeights&) = delete; // the slots point into this object
    TransformerWeights& operator=(const TransformerWeights&) = delete;

    const Matrix* tokenEmbedding = nullptr;    // [vocab, hidden]
    const Matrix* positionEmbedding = nullptr; // [positions, hidden] (learned positions)
    const Vector* tokenType = nullptr;         // [hidden] (BERT's token type 0)
    const Vector* embedNormWeight = nullptr;
    const Vector* embedNormBias = nullptr;
    std::vector<TransformerLayerWeights> layers;
    const Vector* finalNormWeight = nullptr;
    const Vector* finalNormBias = nullptr;
    const Matrix* head = nullptr; // [vocab, hidden]; the token embedding when tied
    // Weights made only while the forward needs them (a GGUF checkpoint, dequantised layer by layer):
    // when set, `layers` is empty, and a null tokenEmbedding / head is asked of it row by row.
    std::shared_ptr<const LazyWeights> lazy;

    // Stores a tensor for the lifetime of these weights and returns it (addresses stay valid when
    // more are kept or the weights are moved).
    const Matrix* keep(Matrix m)
    {
        m_matrices.push_back(std::move(m));
        return &m_matrices.back();
    }
    const Vector* keep(Vector v)
    {
        m_vectors.push_back(std::move(v));
        return &m_vectors.back();
    }

private:
    std::deque<Matrix> m_matrices;
    std::deque<Vector> m_vectors;
};

// The source of weights that are not all held as float32: TransformerStack asks it for one layer
// at a time (dropped when the layer is done), for the embedding rows of the prompt's tokens and for
// the head's logits. The source checked every tensor when it was opened, so these cannot fail.
class LazyWeights {
public:
    struct Layer {
        TransformerWeights store;
        TransformerLayerWeights weights; // points into store
    };
    virtual ~LazyWeights() = default;
    virtual std::unique_ptr<Layer> layer(int index) const = 0;
    virtual void embeddingRow(int id, float* out) const = 0;                   // `hidden` floats
    virtual void headLogits(const float* x, float* logits) const = 0;          // x: hidden, logits: vocab
};

} // namespace attn
