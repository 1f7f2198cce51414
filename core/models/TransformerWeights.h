#pragma once
// The weights of one TransformerStack under the stack's own names, whatever the family calls them.
// Matrices are [out, in] (y = x W^T). Each slot points at a tensor that either lives here (keep():
// loaded from a file) or is borrowed from a checkpoint object that outlives the stack (llama2.c).
// A null slot is a tensor the spec does not use (no biases, no final norm, ...).
#include "Types.h"

#include <deque>
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

} // namespace attn
