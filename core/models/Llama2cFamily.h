#pragma once
// llama2.c (Karpathy's run.c) as a spec over the TransformerStack: RMSNorm (eps 1e-5) pre-norm blocks,
// rotary positions on interleaved (2i, 2i+1) pairs with theta 10000, grouped-query causal attention, a
// SwiGLU MLP w2(silu(w1 x) * w3 x), the final RMSNorm and the classifier (the embedding when shared);
// generation stops before BOS (1) or EOS (2) as run.c does. The weights are borrowed from the
// Llama2cCheckpoint, which must outlive the stack.
#include "Llama2cCheckpoint.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

namespace attn {

class Llama2cFamily {
public:
    static TransformerSpec spec(const Llama2cConfig& config);
    static TransformerWeights weights(const Llama2cCheckpoint& checkpoint);
};

} // namespace attn
