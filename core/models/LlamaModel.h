#pragma once
// Runs a llama2.c checkpoint natively in float32, as llama2.c's run.c computes it, and captures every
// layer's per-head attention. Per layer: RMSNorm (eps 1e-5) -> Q, K, V projections -> rotary position
// embedding on (2i, 2i+1) pairs within each head (frequency 1 / 10000^(2i / head_size)) ->
// grouped-query causal softmax attention scaled by 1/sqrt(head_size) (head h reads kv head
// h / (n_heads / n_kv_heads)) -> wo -> residual -> RMSNorm -> SwiGLU FFN w2(silu(w1 x) * w3 x) ->
// residual; then a final RMSNorm and the classifier on the last position.
// A whole prompt is processed as one block of matrix products (Eigen); generation reuses a KV cache.
#include "ComputeControl.h"
#include "Expected.h"
#include "Llama2cCheckpoint.h"
#include "Llama2cTokenizer.h"
#include "ModelAttention.h"

#include <string>
#include <vector>

namespace attn {

struct LlamaRunOptions {
    bool keepQueriesKeys = false;
    const Llama2cTokenizer* tokenizer = nullptr; // for tokenLabels
};

class LlamaModel {
public:
    explicit LlamaModel(Llama2cCheckpoint checkpoint);

    const Llama2cCheckpoint& checkpoint() const { return m_checkpoint; }
    const Llama2cConfig& config() const { return m_checkpoint.config(); }

    // The forward pass over tokens (1 <= N <= seq_len, ids in the vocabulary) capturing every
    // layer's and head's attention. Progress is reported once per layer; a cancel gives the error
    // "cancelled". The attention maps must fit the memory budget of `control`.
    Expected<ModelAttention> forward(const std::vector<int>& tokens, const LlamaRunOptions& options = {},
        const ComputeControl& control = {}) const;

    // Greedy (argmax) continuation of prompt (non-empty, e.g. {1} for BOS alone): up to `steps` new
    // token ids, stopping before a BOS (1) or EOS (2) token, as run.c does, and when the sequence
    // reaches seq_len. Uses a KV cache. Progress is reported per generated token.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const;

private:
    struct KvCache;
    Status validateTokens(const std::vector<int>& tokens) const;
    // Runs tokens at positions cache.length .. cache.length + n - 1, appending to the cache.
    Status forwardBlock(const int* tokens, int n, KvCache& cache, ModelAttention* capture, const ComputeControl& control,
        bool reportLayers, std::vector<float>* lastLogits) const;

    Llama2cCheckpoint m_checkpoint;
};

} // namespace attn
