#pragma once
// One layer of the TransformerStack: attention then MLP, each with its norm and residual, placed as
// the spec says (TransformerSpec.h has the formulas). The only forward code of every checkpoint family.
#include "AttentionTrace.h"
#include "ModelAttention.h"
#include "RotaryEmbedding.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"
#include "Types.h"

namespace attn {

class TransformerBlock {
public:
    TransformerBlock(const TransformerSpec& spec, const TransformerLayerWeights& weights, int layer);

    // Reusable buffers, so a forward pass allocates them once, not once per layer.
    struct Scratch {
        Matrix h, q, context, t, gate, up;
    };

    // x: [n, hidden] for positions start .. start + n - 1, updated in place. The layer's keys and
    // values for those positions are written into rows start .. start + n - 1 of keys / values
    // ([capacity, kvHeads * headDim]) and the queries attend to rows 0 .. start + n - 1. capture (may
    // be null; then start must be 0) receives this layer's maps. trace (may be null; start 0, no
    // capture) receives the layer's queries, keys, values, rule and row statistics instead: the layer
    // streams (StreamingAttention) and no map is made.
    void forward(Matrix& x, int start, Matrix& keys, Matrix& values, const RotaryEmbedding* rope,
        ModelAttention* capture, Scratch& scratch, LayerTrace* trace = nullptr) const;

private:
    void norm(const Matrix& x, const Vector* weight, const Vector* bias, Matrix& out) const;
    void mlp(const Matrix& in, Scratch& s, Matrix& out) const;

    const TransformerSpec& m_spec;
    const TransformerLayerWeights& m_w;
    int m_layer;
};

} // namespace attn
