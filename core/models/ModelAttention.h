#pragma once
// What one forward pass of a checkpoint (llama2.c, BERT, GPT-2, Llama, ViT) captures: every layer's
// per-head softmax attention [L][H][N][N] (float32, rows = queries, columns = keys, each row sums
// to 1; exactly 0 above the diagonal for causal models), the logits after the last position for
// causal language models, and on request each head's queries and keys as the scores saw them
// (after any rotary embedding).
#include <cstddef>
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
    // each row sums to 1; exactly 0 above the diagonal for causal models.
    std::vector<float> weights;
    std::vector<float> lastLogits; // [vocab], the prediction after the last token
    // Only when asked (keepQueriesKeys): post-RoPE queries and keys, and the values,
    // [L][H][N][headSize]. keys and values hold, for each query head, the kv head it reads (so
    // heads sharing a kv head repeat it). Head h's output is weights(h) · values(h).
    std::vector<float> queries;
    std::vector<float> keys;
    std::vector<float> values;

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

} // namespace attn
