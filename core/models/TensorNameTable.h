#pragma once
// How a family names its tensors: for each slot of TransformerWeights, the tensor's name in the
// checkpoint ("" when the family has none), per-layer names with "{L}" for the layer index. The
// loader (WeightLoader) reads them with the shapes the spec implies, in the order listed here, so
// the first missing or misshapen tensor is the one a message names.
#include <string>
#include <vector>

namespace attn {

struct TensorNameTable {
    // Tried in order: the first prefix under which `probe` exists is put before every name
    // (e.g. "bert." for BertFor... checkpoints); none found: no prefix.
    std::vector<std::string> prefixes;
    std::string probe;
    // Linear weights stored [in, out] (GPT-2's Conv1D) rather than [out, in].
    bool transposed = false;

    std::string tokenEmbedding, positionEmbedding, tokenTypeEmbedding, embedNormWeight, embedNormBias;

    // Per layer, in the order they are read.
    std::string attnNormWeight, attnNormBias;
    std::string q, qBias, k, kBias, v, vBias;
    std::string qkv, qkvBias; // fused [q; k; v] rows (GPT-2's c_attn, Phi-3's qkv_proj) instead of q, k, v
    std::string o, oBias;
    std::string postAttnNorm;
    std::string mlpNormWeight, mlpNormBias;
    std::string gate, up, upBias;
    std::string gateUp; // fused [gate; up] rows (Phi-3's gate_up_proj) instead of gate and up
    std::string down, downBias;
    std::string postMlpNorm;
    // Read after the layers (the post-norm families' second norm is mlpNorm).
    std::string finalNormWeight, finalNormBias, head;

    // Whether the biases of q, k, v are read before the weights (ViT reads q, k, v then their biases).
    bool weightsBeforeBiases = false;
};

} // namespace attn
