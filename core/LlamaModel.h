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

#include <string>
#include <vector>

namespace attn {

// Everything one forward pass over a prompt of N tokens captures.
struct ModelAttention {
    int layers = 0;
    int heads = 0;
    int tokens = 0;
    int headSize = 0;
    std::vector<int> tokenIds;
    std::vector<std::string> tokenLabels; // tokenizer labels, or "#id" without a tokenizer
    // Softmax attention weights [L][H][N][N]: row = query position, column = key position;
    // exactly 0 above the diagonal, each row sums to 1.
    std::vector<float> weights;
    std::vector<float> lastLogits; // [vocab], the prediction after the last token
    // Only when LlamaRunOptions::keepQueriesKeys: post-RoPE queries and keys [L][H][N][headSize].
    // keys holds, for each query head, the kv head it reads (so heads sharing a kv head repeat it).
    std::vector<float> queries;
    std::vector<float> keys;

    size_t mapOffset(int layer, int head) const
    {
        return (static_cast<size_t>(layer) * static_cast<size_t>(heads) + static_cast<size_t>(head))
            * static_cast<size_t>(tokens) * static_cast<size_t>(tokens);
    }
    float weight(int layer, int head, int query, int key) const
    {
        return weights[mapOffset(layer, head) + static_cast<size_t>(query) * static_cast<size_t>(tokens)
            + static_cast<size_t>(key)];
    }
};

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
