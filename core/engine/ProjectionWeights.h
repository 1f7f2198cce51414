#pragma once
// The learned (or fixed) parameters of one attention layer, in torch.nn.MultiheadAttention's
// convention: y = x W^T + b, W of shape [out, in]. Identity projections carry no matrices.
#include "Types.h"

#include <vector>

namespace attn {

struct ProjectionWeights {
    int inputDim = 0;  // d of the input vectors
    int modelDim = 0;  // E: dimension of Q, K, V and the output
    int heads = 1;
    int headDim = 0;   // d_k = E / H
    bool identity = true;

    Matrix wq, wk, wv; // [E, d]
    Vector bq, bk, bv; // [E]
    Matrix wo;         // [E, E]
    Vector bo;         // [E]

    // Additive (Bahdanau) score per head: v^T tanh(Wa_q q + Wa_k k), Wa_* [d_k, d_k], v [d_k].
    std::vector<Matrix> additiveWq, additiveWk;
    std::vector<Vector> additiveV;
    // Bilinear score per head: q^T Wa k, Wa [d_k, d_k] (identity by default, as seed 002).
    std::vector<Matrix> bilinear;
    // Dynamic gate / temperature from the query's input vector: w . x + b.
    Vector dynamicW; // [d]
    float dynamicB = 0.0f;
};

} // namespace attn
